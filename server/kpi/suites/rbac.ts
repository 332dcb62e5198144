import { ask, check } from './http-case.js';
import { type CaseResult, FIXTURE_READ, FIXTURE_WRITE, type Suite } from './suite.js';

interface Rule {
  role: string;
  path: string;
  methods: string[];
}

/** Each action the matrix tries: a request that is harmless whether allowed or not. */
const ACTIONS: { path: string; method: string; url: string; json?: unknown; headers?: Record<string, string> }[] = [
  { path: '/data/*', method: 'GET', url: '/data/products?limit=1', headers: FIXTURE_READ },
  { path: '/data/*', method: 'PATCH', url: '/data/products?id=eq.-1', json: { name: 'kpi' }, headers: FIXTURE_WRITE },
  { path: '/data/*', method: 'DELETE', url: '/data/products?id=eq.-1', headers: FIXTURE_WRITE },
  { path: '/functions', method: 'GET', url: '/functions' },
  { path: '/functions/*', method: 'DELETE', url: '/functions/kpi-rbac-none' },
  { path: '/workflows', method: 'GET', url: '/workflows' },
  { path: '/storage', method: 'GET', url: '/storage?prefix=kpi-rbac/' },
  { path: '/storage/*', method: 'DELETE', url: '/storage/kpi-rbac/none.txt' },
  { path: '/auth/policies', method: 'GET', url: '/auth/policies' },
];

/**
 * Role × action in one tenant: its admin and its user (dev users of the project) try each action; the expectation comes from the
 * tenant's policies as they stand (GET /auth/policies), so the matrix checks enforcement against what is declared.
 * Allowed means not refused by RBAC (a 404 for a thing that is not there is allowed); refused is a 403 naming the rule.
 */
export const rbacSuite: Suite = {
  name: 'rbac',
  deadlineMs: { quick: 30_000, full: 30_000 },
  async run(ctx) {
    const tokens = { admin: await ctx.token(ctx.people().admin), user: await ctx.token(ctx.people().user) };
    const declared = await ask('GET', `${ctx.gatewayUrl}/auth/policies`, { token: tokens.admin });
    if (declared.status !== 200) throw new Error(`the tenant's policies could not be read: ${declared.status}`);
    const policies = declared.json.policies as Rule[];
    const allows = (role: string, path: string, method: string) =>
      policies.some((p) => p.role === role && p.path === path && p.methods.includes(method));
    const cases: CaseResult[] = [];
    for (const role of ['admin', 'user'] as const) {
      for (const a of ACTIONS) {
        const expectAllowed = allows(role, a.path, a.method);
        cases.push(
          await check(
            `${role}: ${a.method} ${a.path}`,
            `${a.method} ${a.url}`,
            expectAllowed ? 'allowed' : '403',
            async () => {
              const res = await ask(a.method, `${ctx.gatewayUrl}${a.url}`, {
                token: tokens[role],
                json: a.json,
                headers: a.headers,
              });
              const refused = res.status === 403 && res.json?.error === 'forbidden';
              return {
                observed: `${res.status}${res.json?.error ? ` ${res.json.error}` : ''}`,
                pass: expectAllowed ? res.status !== 403 && res.status < 500 : refused,
              };
            },
          ),
        );
      }
    }
    return { values: { cases: cases.length, held: cases.filter((c) => c.pass).length }, cases };
  },
};
