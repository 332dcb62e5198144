// The auth API's wire types.
import { Type } from 'typebox';
import { METHODS, RESOURCES, TABLE_RESOURCE } from '../../rbac/authorizer.js';

const EMAIL = Type.String({ format: 'email', maxLength: 254 });
const PASSWORD = Type.String({ minLength: 1, maxLength: 1024 });

export const RegisterBodySchema = Type.Object(
  {
    email: EMAIL,
    password: PASSWORD,
    tenant: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
export const LoginBodySchema = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: PASSWORD },
  { additionalProperties: false },
);
export const SessionBodySchema = Type.Object(
  { session_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { additionalProperties: false },
);
export const DevTokenBodySchema = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 254 }) },
  { additionalProperties: false },
);

export const AccessTokenSchema = Type.Object({
  access_token: Type.String(),
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
});
export const LoginViewSchema = Type.Object({ ...AccessTokenSchema.properties, session_token: Type.String() });

export const AppUserSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  tenant_id: Type.String(),
  role: Type.Enum(['admin', 'user']),
});
export const RegisteredSchema = Type.Object({
  ...LoginViewSchema.properties,
  user: AppUserSchema,
  /** The registration workflow it started, or why it did not start (the account exists either way). */
  workflow: Type.Union([
    Type.Object({ workflowId: Type.String(), runId: Type.String() }),
    Type.Object({ error: Type.String() }),
  ]),
});
export const DevTokenSchema = Type.Object({
  ...AccessTokenSchema.properties,
  dev_only: Type.Literal(true),
  warning: Type.String(),
});

export const PolicyRuleSchema = Type.Object(
  {
    role: Type.Enum(['admin', 'user']),
    path: Type.Union([Type.Enum(RESOURCES), Type.String({ pattern: TABLE_RESOURCE.source })]),
    methods: Type.Array(Type.Enum(METHODS), { minItems: 1, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export const PoliciesBodySchema = Type.Object(
  { policies: Type.Array(PolicyRuleSchema, { maxItems: 100 }) },
  { additionalProperties: false },
);
export const PoliciesViewSchema = Type.Object({ tenant_id: Type.String(), policies: Type.Array(PolicyRuleSchema) });

/** The gateway's public keys (RFC 7517): each key's members as the key type defines them. */
export const JwksSchema = Type.Object({
  keys: Type.Array(Type.Object({ kid: Type.String(), kty: Type.String() }, { additionalProperties: true })),
});

export const HealthSchema = Type.Object({ status: Type.Literal('ok') });

/** A code by mail: recovery asked for, a new verification code asked for (both answer 202 whoever the address is). */
export const MailCodeBodySchema = Type.Object({ email: EMAIL }, { additionalProperties: false });
const CODE = Type.String({ pattern: '^[0-9]{6,8}$', description: 'the code from the mail' });
export const RecoveryCodeBodySchema = Type.Object(
  { email: EMAIL, code: CODE, password: PASSWORD },
  { additionalProperties: false },
);
export const VerifyBodySchema = Type.Object({ email: EMAIL, code: CODE }, { additionalProperties: false });
export const MailCodeSentSchema = Type.Object({ message: Type.String() });
export const VerifiedSchema = Type.Object({ email: Type.String(), verified: Type.Boolean() });
export const PasswordChangedSchema = Type.Object({ message: Type.String() });
