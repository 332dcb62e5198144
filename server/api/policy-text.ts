// RBAC rules as text, one Casbin `p` line each without the tenant: `p, <role>, <path>, <METHOD|METHOD…>`. The form of
// a project's apprun/policies.csv and of the Settings screen's editor. Pure data: the dashboard's bundle includes it.

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type Method = (typeof METHODS)[number];
/** The route families policies may name (keyMatch2 patterns). */
export const RESOURCES = [
  '/data/*',
  '/functions',
  '/functions/*/invoke',
  '/functions/*',
  '/workflows',
  '/workflows/*',
  '/storage',
  '/storage/*',
  '/auth/policies',
] as const;
/** One table of the data API, for rules narrower than /data/* (a project's policies.csv, a tenant admin). */
export const TABLE_RESOURCE = /^\/data\/[A-Za-z_][A-Za-z0-9_]{0,62}$/;
export type Resource = (typeof RESOURCES)[number] | `/data/${string}`;
export const ROLES = ['admin', 'user'] as const;

/** One rule: a role may use a route family with these methods (the API's PolicyRuleSchema is this shape). */
export interface PolicyRule {
  role: (typeof ROLES)[number];
  path: Resource;
  methods: Method[];
}

export class PolicyTextError extends Error {}

/** Rules as lines, in the order given. */
export function formatPolicies(rules: readonly { role: string; path: string; methods: readonly string[] }[]): string {
  return rules.map((r) => `p, ${r.role}, ${r.path}, ${r.methods.join('|')}`).join('\n');
}

/**
 * Reads rules, # comments and blank lines. dataOnly: only /data/* and /data/<table> (what a project declares); else
 * any route family too (a tenant's whole policy). A bad line is an error naming `file:line`.
 */
export function parsePolicies(text: string, { file = 'policies', dataOnly = false } = {}): PolicyRule[] {
  const rules: PolicyRule[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const where = `${file}:${i + 1}`;
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length !== 4 || fields[0] !== 'p')
      throw new PolicyTextError(`${where}: a rule is "p, <role>, <path>, <METHOD|METHOD…>", got "${line}"`);
    const [, role, path, methods] = fields as [string, string, string, string];
    if (!(ROLES as readonly string[]).includes(role))
      throw new PolicyTextError(`${where}: role "${role}" is neither admin nor user`);
    const known =
      path === '/data/*' || TABLE_RESOURCE.test(path) || (!dataOnly && (RESOURCES as readonly string[]).includes(path));
    if (!known)
      throw new PolicyTextError(
        dataOnly
          ? `${where}: path "${path}" is neither /data/* nor /data/<table>`
          : `${where}: path "${path}" is not /data/<table> nor one of ${RESOURCES.join(', ')}`,
      );
    const list = methods.split('|').map((m) => m.trim().toUpperCase());
    const bad = list.find((m) => !(METHODS as readonly string[]).includes(m));
    if (bad) throw new PolicyTextError(`${where}: "${bad}" is not one of ${METHODS.join(', ')}`);
    rules.push({ role: role as PolicyRule['role'], path: path as Resource, methods: [...new Set(list)] as Method[] });
  }
  return rules;
}
