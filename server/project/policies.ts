// A project's RBAC rules for its data API, apprun/policies.csv (Casbin's `p` lines without the tenant): applied to
// every tenant at start and whenever the file is saved. Declared rules replace the /data rules a tenant has; with none
// declared, tenants keep the defaults (users read and write, admins everything).
import fs from 'node:fs/promises';
import type pg from 'pg';
import { type PolicyRule, parsePolicies } from '../api/policy-text.js';
import { type Authorizer, DEFAULT_POLICIES } from '../rbac/authorizer.js';

const isDataRule = (rule: PolicyRule) => rule.path === '/data/*' || rule.path.startsWith('/data/');
const STATE_KEY = 'policies';

/** policies.csv's rules: /data/* and /data/<table> only. */
export const parseProjectPolicies = (text: string) => parsePolicies(text, { file: 'policies.csv', dataOnly: true });

export async function readPolicies(file: string): Promise<PolicyRule[]> {
  const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return parseProjectPolicies(text);
}

/**
 * Gives every tenant the declared /data rules (its other rules stay). When the file declared rules before and now
 * declares none, the tenants' /data rules go back to the defaults. Returns how many tenants changed.
 */
export async function applyPolicies(db: pg.Pool, authorizer: Authorizer, declared: PolicyRule[]): Promise<number> {
  const before = (
    await db.query<{ value: string }>('select value from app_private.project_state where key = $1', [STATE_KEY])
  ).rows[0]?.value;
  const now = JSON.stringify(declared);
  if (!declared.length && (before === undefined || before === '[]')) return 0;
  const dataRules = declared.length ? declared : DEFAULT_POLICIES.filter(isDataRule);
  const tenants = (await db.query<{ id: string }>('select id from app_private.tenants')).rows;
  for (const { id } of tenants) {
    const kept = (await authorizer.policies(id)).filter((rule) => !isDataRule(rule));
    await authorizer.replacePolicies(id, [...kept, ...dataRules]);
  }
  await db.query(
    `insert into app_private.project_state (key, value) values ($1, $2)
     on conflict (key) do update set value = excluded.value, updated_at = now()`,
    [STATE_KEY, now],
  );
  return tenants.length;
}
