// A project's RBAC rules for its data API, apprun/policies.csv (Casbin's `p` lines without the tenant): applied to
// every tenant at start and whenever the file is saved. Declared rules replace the /data rules a tenant has; with none
// declared, tenants keep the defaults (users read and write, admins everything).
import fs from 'node:fs/promises';
import type pg from 'pg';
import type { AppRole } from '../auth/tokens.js';
import {
  type Authorizer,
  DEFAULT_POLICIES,
  METHODS,
  type Method,
  type PolicyRule,
  TABLE_RESOURCE,
} from '../rbac/authorizer.js';

export class PolicyFileError extends Error {}

const ROLES: readonly AppRole[] = ['admin', 'user'];
const isDataRule = (rule: PolicyRule) => rule.path === '/data/*' || rule.path.startsWith('/data/');
const STATE_KEY = 'policies';

/** Parses policies.csv: `p, <admin|user>, </data/* or /data/<table>>, <METHOD|METHOD…>`, # comments and blank lines. */
export function parsePolicies(text: string, file = 'policies.csv'): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 4 || fields[0] !== 'p')
      throw new PolicyFileError(`${where}: a rule is "p, <role>, <path>, <METHOD|METHOD…>", got "${line}"`);
    const [, role, path, methods] = fields as [string, string, string, string];
    if (!ROLES.includes(role as AppRole))
      throw new PolicyFileError(`${where}: role "${role}" is neither admin nor user`);
    if (path !== '/data/*' && !TABLE_RESOURCE.test(path))
      throw new PolicyFileError(`${where}: path "${path}" is neither /data/* nor /data/<table>`);
    const list = methods.split('|').map((m) => m.trim().toUpperCase());
    const bad = list.find((m) => !METHODS.includes(m as Method));
    if (bad) throw new PolicyFileError(`${where}: "${bad}" is not one of ${METHODS.join(', ')}`);
    rules.push({ role: role as AppRole, path: path as PolicyRule['path'], methods: [...new Set(list)] as Method[] });
  }
  return rules;
}

export async function readPolicies(file: string): Promise<PolicyRule[]> {
  const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return parsePolicies(text);
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
