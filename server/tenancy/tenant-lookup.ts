import type pg from 'pg';
import { DomainError } from '../errors.js';

/** A tenant named by its id or its name (any case), as callers name it; a clear 400 for one that does not exist. */
export async function tenantIdOf(db: pg.Pool, tenant: string): Promise<string> {
  const found = await db.query<{ id: string }>(
    'select id from app_private.tenants where id::text = $1 or lower(name) = lower($1)',
    [tenant],
  );
  if (!found.rows[0]) throw new DomainError('invalid', 'unknown_tenant', `no tenant "${tenant}" (give its id or name)`);
  return found.rows[0].id;
}
