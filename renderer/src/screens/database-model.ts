import type { TableView } from '../../../server/api/contract';

export const VERDICT_LABEL: Record<TableView['verdict'], string> = {
  safe: 'tenant-safe',
  shared: 'shared by every tenant (read-only)',
  unsafe: 'NOT tenant-safe',
  private: 'not reachable by tenants',
};

/** "Test Tenant 1: 2, Test Tenant 2: 1", or the total for a table without a tenant column. */
export function rowsSummary(t: TableView): string {
  if (t.rowsByTenant) {
    const entries = Object.entries(t.rowsByTenant).sort(([a], [b]) => a.localeCompare(b));
    return entries.length ? entries.map(([tenant, n]) => `${tenant}: ${n}`).join(', ') : 'no rows';
  }
  return t.rows === undefined ? '—' : `${t.rows} in all`;
}
