import type pg from 'pg';
import { DomainError } from '../errors.js';

/**
 * The refusal of a row naming another tenant, worded as PostgreSQL's row-level security words it (which PostgREST
 * passes on), so a client cannot tell which layer refused; the gateway's own code is `cross_tenant_write`.
 */
function rlsViolation(table: string, hint: string | null = null): DomainError {
  return new DomainError(
    'forbidden',
    'cross_tenant_write',
    `new row violates row-level security policy for table "${table}"`,
    { code: '42501', details: null, hint },
  );
}

/**
 * The gateway's own layer of tenant isolation, on top of row-level security in the database: every read, update
 * and delete of a tenant-scoped table is pinned to the caller's tenant with an extra PostgREST filter, and a write
 * whose rows name another tenant is refused before it reaches the database.
 */
export class TenantGuard {
  constructor(private tenantColumn: ReadonlyMap<string, string> = new Map()) {}

  /**
   * Finds the tenant-scoped tables of the api schema again: those with a tenant_id column, and the tenants table
   * itself. At start, and whenever the schema may have changed.
   */
  async refresh(db: pg.Pool): Promise<void> {
    const { rows } = await db.query<{ table_name: string }>(
      `select table_name from information_schema.columns where table_schema = 'api' and column_name = 'tenant_id'`,
    );
    const columns = new Map(rows.map((r) => [r.table_name, 'tenant_id']));
    columns.set('tenants', 'id');
    this.tenantColumn = columns;
  }

  /** The query string to send upstream (with its leading '?', or empty). */
  scopeQuery(table: string, query: string, tenantId: string): string {
    const column = this.tenantColumn.get(table);
    if (!column) return query;
    const pin = `${column}=eq.${tenantId}`;
    return query ? `${query}&${pin}` : `?${pin}`;
  }

  /** Refuses a JSON body (one row or an array of rows) that sets the tenant column to another tenant. */
  checkWrite(table: string, body: unknown, tenantId: string): void {
    const column = this.tenantColumn.get(table);
    if (!column || body === null || typeof body !== 'object') return;
    const rows = Array.isArray(body) ? body : [body];
    for (const row of rows) {
      if (row && typeof row === 'object' && column in row && (row as Record<string, unknown>)[column] !== tenantId) {
        throw rlsViolation(table);
      }
    }
  }

  /**
   * Refuses a CSV body whose header names the tenant column: its values are not read here, and it comes from the token.
   */
  checkColumns(table: string, columns: string[]): void {
    const column = this.tenantColumn.get(table);
    if (column && columns.includes(column)) {
      throw rlsViolation(table, `leave ${column} out of CSV bodies: it is set to your own tenant from your token`);
    }
  }
}
