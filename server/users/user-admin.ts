import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Static } from 'typebox';
import type { CreateUserSchema, UpdateUserSchema, UserViewSchema } from '../api/schemas/users.js';
import type { Access } from '../auth/access.js';
import type { IdentityState, KratosClient } from '../auth/kratos-client.js';
import { type AppRole, accessClaimsOf } from '../auth/tokens.js';
import { DomainError } from '../errors.js';
import { tenantIdOf } from '../tenancy/tenant-lookup.js';

export type UserView = Static<typeof UserViewSchema>;
type CreateUser = Static<typeof CreateUserSchema>;
type UpdateUser = Static<typeof UpdateUserSchema>;

interface UserRow {
  id: string;
  email: string;
  name: string;
  tenant_id: string;
  tenant_name: string;
  role: AppRole;
  kratos_identity_id: string | null;
  from_config: boolean;
  created_at: Date;
}

const SELECT = `select u.id, u.email, u.name, u.tenant_id, t.name as tenant_name, u.role, u.kratos_identity_id,
  u.from_config, u.created_at from app_private.users u join app_private.tenants t on t.id = u.tenant_id`;

/**
 * The admin's users: the app users of every tenant with their Kratos identity kept in step (create, disable, delete,
 * reset a password), and a token to act as one of them. A disabled or deleted user's tokens are refused at once,
 * not when they expire.
 */
export class UserAdmin {
  constructor(
    private readonly db: pg.Pool,
    private readonly kratos: KratosClient,
    private readonly access: Access,
    private readonly tokenTtlSeconds = 900,
  ) {}

  async list(tenant?: string): Promise<UserView[]> {
    const tenantId = tenant ? await tenantIdOf(this.db, tenant) : undefined;
    const [rows, states] = await Promise.all([
      this.db.query<UserRow>(`${SELECT} ${tenantId ? 'where u.tenant_id = $1' : ''} order by t.name, u.email`, [
        ...(tenantId ? [tenantId] : []),
      ]),
      this.kratos.identityStates(),
    ]);
    return rows.rows.map((r) => this.view(r, r.kratos_identity_id ? states.get(r.kratos_identity_id) : undefined));
  }

  async tenants(): Promise<{ id: string; name: string }[]> {
    return (await this.db.query<{ id: string; name: string }>('select id, name from app_private.tenants order by name'))
      .rows;
  }

  /** A user by id or email (the SQL console's "as" takes either), with their identity's state. */
  async get(idOrEmail: string): Promise<UserView> {
    const row = await this.row(idOrEmail);
    return this.view(row, row.kratos_identity_id ? await this.kratos.identityState(row.kratos_identity_id) : undefined);
  }

  async create(input: CreateUser): Promise<UserView> {
    const email = input.email.toLowerCase();
    const tenantId = await tenantIdOf(this.db, input.tenant);
    const role = input.role ?? 'user';
    const name = input.name ?? email.split('@')[0]!;
    const taken = await this.db.query('select 1 from app_private.users where lower(email) = $1', [email]);
    if (taken.rowCount)
      throw new DomainError('conflict', 'already_registered', `a user with email ${email} exists already`);
    const identityId = await this.kratos.createIdentity(email, name, input.password, { tenant_id: tenantId, role });
    let id: string;
    try {
      id = (
        await this.db.query<{ id: string }>(
          `insert into app_private.users (tenant_id, email, name, role, kratos_identity_id) values ($1, $2, $3, $4, $5)
           returning id`,
          [tenantId, email, name, role, identityId],
        )
      ).rows[0]!.id;
    } catch (err) {
      // No identity without its app user.
      await this.kratos.deleteIdentity(identityId);
      throw err;
    }
    await this.access.authorizer.linkUser(id, role, tenantId);
    return this.get(id);
  }

  async update(id: string, change: UpdateUser): Promise<UserView> {
    const row = await this.row(id);
    const role = change.role ?? row.role;
    const name = change.name ?? row.name;
    if (change.role || change.name)
      await this.db.query('update app_private.users set role = $2, name = $3 where id = $1', [id, role, name]);
    let state: IdentityState | undefined;
    if (!row.kratos_identity_id) {
      if (change.password || change.disabled !== undefined)
        throw new DomainError(
          'conflict',
          'no_identity',
          `${row.email} has no Kratos identity to change; restart apprun to create the dev users' identities`,
        );
    } else {
      const current = await this.kratos.identityState(row.kratos_identity_id);
      state = change.disabled === undefined ? (current ?? 'active') : change.disabled ? 'inactive' : 'active';
      await this.kratos.updateIdentity(row.kratos_identity_id, {
        email: row.email,
        name,
        metadata: { tenant_id: row.tenant_id, role },
        ...(change.password ? { password: change.password } : {}),
        state,
      });
      if (state === 'inactive') await this.kratos.revokeSessions(row.kratos_identity_id);
    }
    // Disabled, or a new role the tokens they hold do not carry: those tokens stop now; new ones (enabled again, a
    // login or refresh with the new role) pass.
    if (change.disabled || (change.role && change.role !== row.role))
      this.access.retireTokensOf(id, Date.now() + this.tokenTtlSeconds * 1000);
    if (change.role && change.role !== row.role) await this.access.authorizer.linkUser(id, role, row.tenant_id);
    return this.view({ ...row, role, name }, state);
  }

  async remove(id: string): Promise<void> {
    const row = await this.row(id);
    this.access.retireTokensOf(id, Date.now() + this.tokenTtlSeconds * 1000);
    await this.access.authorizer.unlinkUser(id, row.tenant_id);
    await this.db.query('delete from app_private.users where id = $1', [id]);
    if (row.kratos_identity_id) await this.kratos.deleteIdentity(row.kratos_identity_id);
  }

  /** A token for the user, as their login would give (same claims), without their password: the admin acts as them. */
  async actAs(id: string): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; user: UserView }> {
    const user = await this.get(id);
    if (user.state === 'disabled')
      throw new DomainError('conflict', 'user_disabled', `${user.email} is disabled; enable them to act as them`);
    const claims = accessClaimsOf(user, `act-as-${randomUUID()}`);
    return { ...(await this.access.issuer.mint(claims, this.tokenTtlSeconds)), user };
  }

  private view(row: UserRow, state: IdentityState | undefined): UserView {
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      tenant_id: row.tenant_id,
      tenant_name: row.tenant_name,
      role: row.role,
      state: !state ? 'no-identity' : state === 'inactive' ? 'disabled' : 'active',
      from_config: row.from_config,
      created_at: row.created_at.toISOString(),
    };
  }

  private async row(idOrEmail: string): Promise<UserRow> {
    const where = idOrEmail.includes('@') ? 'lower(u.email) = lower($1)' : 'u.id::text = $1';
    const row = (await this.db.query<UserRow>(`${SELECT} where ${where}`, [idOrEmail])).rows[0];
    if (!row) throw new DomainError('not_found', 'unknown_user', `no user ${idOrEmail} (give an id or an email)`);
    return row;
  }
}
