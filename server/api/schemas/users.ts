import { Type } from 'typebox';
import { AccessTokenSchema } from './auth.js';
import { Timestamp } from './common.js';

const ROLE = Type.Enum(['admin', 'user']);

/** An app user as the admin sees them: their tenant, role, and whether they may sign in. */
export const UserViewSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  tenant_id: Type.String(),
  tenant_name: Type.String(),
  role: ROLE,
  /** disabled: cannot log in, and their tokens are refused; no-identity: not in Kratos (cannot log in). */
  state: Type.Enum(['active', 'disabled', 'no-identity']),
  /** A dev user of apprun/config.toml: deleted, it comes back at the next start. */
  from_config: Type.Boolean(),
  created_at: Timestamp,
});

export const UsersQuerySchema = Type.Object(
  { tenant: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'a tenant id or name' })) },
  { additionalProperties: false },
);

export const UsersViewSchema = Type.Object({
  users: Type.Array(UserViewSchema),
  /** Every tenant, with users or not (for the create form). */
  tenants: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
});

export const CreateUserSchema = Type.Object(
  {
    email: Type.String({ format: 'email', maxLength: 254 }),
    password: Type.String({ minLength: 8, maxLength: 1024 }),
    tenant: Type.String({ minLength: 1, maxLength: 200, description: 'the tenant id or name' }),
    role: Type.Optional(ROLE),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const UpdateUserSchema = Type.Object(
  {
    role: Type.Optional(ROLE),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    disabled: Type.Optional(Type.Boolean()),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UserIdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** A token to act as the user on the tenant screens (minted by the gateway for the admin; no password asked). */
export const ActAsSchema = Type.Object({ ...AccessTokenSchema.properties, user: UserViewSchema });
