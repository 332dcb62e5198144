import type pg from 'pg';
import type { SafetyProblem } from './migrations.js';

export interface TableView {
  name: string;
  kind: 'table' | 'view' | 'materialized view' | 'foreign table';
  /** safe: tenant-scoped as the check wants; shared: declared for every tenant; unsafe: see problems; private: no tenant role reaches it. */
  verdict: 'safe' | 'shared' | 'unsafe' | 'private';
  problems: { problem: string; fix: string }[];
  /** Rows per tenant name, for a table with a tenant_id column (read past row-level security, by the superuser). */
  rowsByTenant?: Record<string, number>;
  /** Rows in all, when it has no tenant column. */
  rows?: number;
}

const KINDS: Record<string, TableView['kind']> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};
/** Tables counted at most, and how long one count may take (a big table is not the dashboard's to scan). */
const MAX_TABLES = 200;
const COUNT_TIMEOUT_MS = 1000;

/** Every relation of `api` with its tenant-safety verdict and its rows per tenant. */
export async function tableViews(client: pg.ClientBase): Promise<TableView[]> {
  const { rows: relations } = await client.query<{
    name: string;
    /** As format('%I') writes it, which is how tenant_safety() names objects. */
    ident: string;
    relkind: string;
    reachable: boolean;
    shared: boolean;
    tenant_column: boolean;
  }>(
    `select c.relname as name, quote_ident(c.relname) as ident, c.relkind,
       exists (select from pg_roles r where r.rolname in ('apprun_anon', 'apprun_user', 'apprun_admin')
               and has_table_privilege(r.oid, c.oid, 'SELECT,INSERT,UPDATE,DELETE')) as reachable,
       exists (select from app_private.declared_objects d where d.object = c.oid::regclass::text
               and d.kind = 'shared_table') as shared,
       exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
               and not a.attisdropped) as tenant_column
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'api' and c.relkind in ('r', 'p', 'v', 'm', 'f')
     order by c.relname limit ${MAX_TABLES}`,
  );
  const problems = (await client.query<SafetyProblem>('select * from apprun.tenant_safety()')).rows;
  const tenantNames = new Map(
    (await client.query<{ id: string; name: string }>('select id, name from app_private.tenants')).rows.map((t) => [
      t.id,
      t.name,
    ]),
  );
  const views: TableView[] = [];
  await client.query('begin read only');
  try {
    await client.query(`set local statement_timeout = ${COUNT_TIMEOUT_MS}`);
    for (const r of relations) {
      const mine = problems.filter((p) => p.object === `api.${r.ident}`);
      const view: TableView = {
        name: r.name,
        kind: KINDS[r.relkind] ?? 'table',
        verdict: mine.length ? 'unsafe' : r.shared ? 'shared' : r.reachable ? 'safe' : 'private',
        problems: mine.map(({ problem, fix }) => ({ problem, fix })),
      };
      await client.query('savepoint count');
      try {
        if (r.tenant_column) {
          const { rows } = await client.query<{ tenant_id: string; n: string }>(
            `select tenant_id, count(*) as n from api.${r.ident} group by tenant_id`,
          );
          view.rowsByTenant = Object.fromEntries(
            rows.map((c) => [tenantNames.get(c.tenant_id) ?? c.tenant_id, Number(c.n)]),
          );
        } else if (r.relkind !== 'f') {
          view.rows = Number((await client.query(`select count(*) as n from api.${r.ident}`)).rows[0].n);
        }
        await client.query('release savepoint count');
      } catch {
        await client.query('rollback to savepoint count'); // too big to count now, or not countable
      }
      views.push(view);
    }
  } finally {
    await client.query('rollback');
  }
  return views;
}
