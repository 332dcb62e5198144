import type pg from 'pg';
import type { ExportedIdentity, KratosClient } from '../auth/kratos-client.js';
import type { Authorizer } from '../rbac/authorizer.js';

/** A user who signed up (not a seeded one), with their identity and password hash, carried over a reset. */
export interface KeptUser {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  role: string;
  identity?: ExportedIdentity;
}

export async function exportUsers(db: pg.Pool, kratos: KratosClient): Promise<KeptUser[]> {
  const { rows } = await db.query<{
    id: string;
    tenant_id: string;
    email: string;
    name: string;
    role: string;
    kratos_identity_id: string | null;
  }>('select id, tenant_id, email, name, role, kratos_identity_id from app_private.users where not from_config');
  return Promise.all(
    rows.map(async (u) => ({
      id: u.id,
      tenantId: u.tenant_id,
      email: u.email,
      name: u.name,
      role: u.role,
      identity: u.kratos_identity_id ? await kratos.exportIdentity(u.kratos_identity_id) : undefined,
    })),
  );
}

/**
 * Puts the kept users back into a freshly seeded stack: their app user (same id, so their rows' owner stays valid
 * where tenants were seeded), their Kratos identity with the same password, their role. A user whose tenant the seed
 * does not have is skipped and named.
 */
export async function importUsers(
  db: pg.Pool,
  kratos: KratosClient,
  authorizer: Authorizer,
  users: KeptUser[],
): Promise<{ kept: number; skipped: string[] }> {
  const skipped: string[] = [];
  let kept = 0;
  for (const u of users) {
    const tenant = await db.query('select 1 from app_private.tenants where id = $1', [u.tenantId]);
    if (!tenant.rowCount || !u.identity) {
      skipped.push(`${u.email} (${tenant.rowCount ? 'no Kratos identity' : 'their tenant is not in the seed'})`);
      continue;
    }
    const identityId = await kratos.importIdentity(u.identity);
    await db.query(
      'insert into app_private.users (id, tenant_id, email, name, role, kratos_identity_id) values ($1, $2, $3, $4, $5, $6)',
      [u.id, u.tenantId, u.email, u.name, u.role, identityId],
    );
    await authorizer.linkUser(u.id, u.role as never, u.tenantId);
    kept++;
  }
  return { kept, skipped };
}
