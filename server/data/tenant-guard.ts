import type { IncomingHttpHeaders } from 'node:http';
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
/** The schemas PostgREST serves: the project's `api` (the default profile), and the KPI center's fixture. */
export const DATA_SCHEMAS = ['api', 'apprun_kpi'] as const;

/** The schema a request addresses: its profile header (Accept-Profile for reads, Content-Profile for writes), else api. */
export function profileOf(method: string, headers: IncomingHttpHeaders): string {
  const header = method === 'GET' || method === 'HEAD' ? headers['accept-profile'] : headers['content-profile'];
  return typeof header === 'string' && header !== '' ? header : DATA_SCHEMAS[0];
}

export class TenantGuard {
  /** By `schema.table`: the column that holds a row's tenant. */
  constructor(private tenantColumn: ReadonlyMap<string, string> = new Map()) {}

  /**
   * Finds the tenant-scoped tables and views of the served schemas again: those with a tenant_id column, and views of
   * the platform's tenants (pinned by their id). At start, and whenever the schema may have changed.
   */
  async refresh(db: pg.Pool): Promise<void> {
    const { rows } = await db.query<{ schema: string; name: string; column: string }>(
      `select table_schema as schema, table_name as name, 'tenant_id' as column from information_schema.columns
       where table_schema = any($1) and column_name = 'tenant_id'
       union
       select view_schema, view_name, 'id' from information_schema.view_column_usage
       where view_schema = any($1) and table_schema = 'app_private' and table_name = 'tenants' and column_name = 'id'`,
      [DATA_SCHEMAS],
    );
    this.tenantColumn = new Map(rows.map((r) => [`${r.schema}.${r.name}`, r.column]));
  }

  /** The column that holds a row's tenant, for a tenant-scoped table; undefined for any other. */
  tenantColumnOf(table: string, schema: string = DATA_SCHEMAS[0]): string | undefined {
    return this.tenantColumn.get(`${schema}.${table}`);
  }

  /** The query string to send upstream (with its leading '?', or empty). */
  scopeQuery(table: string, query: string, tenantId: string, schema: string = DATA_SCHEMAS[0]): string {
    const column = this.tenantColumn.get(`${schema}.${table}`);
    if (!column) return query;
    const pin = `${column}=eq.${tenantId}`;
    return query ? `${query}&${pin}` : `?${pin}`;
  }

  /** Refuses a JSON body (one row or an array of rows) that sets the tenant column to another tenant. */
  checkWrite(table: string, body: unknown, tenantId: string, schema: string = DATA_SCHEMAS[0]): void {
    const column = this.tenantColumn.get(`${schema}.${table}`);
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
  checkColumns(table: string, columns: string[], schema: string = DATA_SCHEMAS[0]): void {
    const column = this.tenantColumn.get(`${schema}.${table}`);
    if (column && columns.includes(column)) {
      throw rlsViolation(table, `leave ${column} out of CSV bodies: it is set to your own tenant from your token`);
    }
  }
}
