import type pg from 'pg';
import type { Static } from 'typebox';
import type { PolicyViewSchema, TableExplanationSchema } from '../api/schemas/explain.js';

type PolicyView = Static<typeof PolicyViewSchema>;
export type TableExplanation = Static<typeof TableExplanationSchema>;

/** The SQL command a request's method runs as, which decides the policies that apply to it. */
export const COMMAND_OF: Record<string, string[]> = {
  GET: ['SELECT'],
  HEAD: ['SELECT'],
  POST: ['INSERT'],
  PUT: ['INSERT', 'UPDATE'],
  PATCH: ['UPDATE'],
  DELETE: ['DELETE'],
};

const KINDS: Record<string, string> = {
  r: 'table',
  p: 'partitioned table',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
};

/** A relation of the served schema: what it is, whether RLS is on, and the policies for this role and command. */
export async function policiesOf(
  db: pg.Pool,
  schema: string,
  table: string,
  dbRole: string,
  method: string,
): Promise<{ kind: string | null; rlsEnabled: boolean; policies: PolicyView[] }> {
  const relation = await db.query<{ relkind: string; relrowsecurity: boolean }>(
    `select c.relkind, c.relrowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = $1 and c.relname = $2`,
    [schema, table],
  );
  const rel = relation.rows[0];
  if (!rel) return { kind: null, rlsEnabled: false, policies: [] };
  const commands = ['ALL', ...(COMMAND_OF[method] ?? [])];
  const { rows } = await db.query<{
    name: string;
    command: string;
    permissive: string;
    roles: string[];
    using: string | null;
    check: string | null;
  }>(
    `select policyname as name, cmd as command, permissive, roles::text[] as roles, qual as using, with_check as check
     from pg_policies where schemaname = $1 and tablename = $2 and cmd = any($3)
       and (roles && array[$4, 'public']::name[])
     order by policyname`,
    [schema, table, commands, dbRole],
  );
  return {
    kind: KINDS[rel.relkind] ?? rel.relkind,
    rlsEnabled: rel.relrowsecurity,
    policies: rows.map((r) => ({ ...r, permissive: r.permissive === 'PERMISSIVE' })),
  };
}

/**
 * The sentence for a table's counts: how many rows the filter matches across tenants, how many the caller sees, and
 * what hid the rest (the one permissive policy by name, else the policies, else the gateway's tenant pin).
 */
export function countSentence(t: Omit<TableExplanation, 'sentence'>): string {
  if (t.kind === null) return `${t.schema}.${t.table} does not exist`;
  if (t.matching === null || t.visible === null) return `${t.table}: rows were not counted`;
  const hidden = t.matching - t.visible;
  const head = `${t.matching} match, ${t.visible} visible`;
  if (hidden <= 0) return `${head}, none hidden`;
  const permissive = t.policies.filter((p) => p.permissive);
  const restrictive = t.policies.filter((p) => !p.permissive);
  const names = (list: PolicyView[]) => list.map((p) => `\`${p.name}\``).join(', ');
  let by: string;
  if (t.rlsEnabled && t.policies.length === 0)
    by = 'row-level security with no policy for this role (nothing is visible)';
  else if (t.rlsEnabled && permissive.length === 1 && restrictive.length === 0) by = names(permissive);
  else if (t.rlsEnabled)
    by =
      `the policies ${names(t.policies)} (a row shows when one permissive policy passes` +
      `${restrictive.length ? ' and every restrictive one does' : ''})`;
  else if (t.tenantPinned) by = "the gateway's tenant pin (only the caller's tenant's rows are asked for)";
  else by = 'something other than RLS (no policy applies)';
  return `${head}, ${hidden} hidden by ${by}`;
}
