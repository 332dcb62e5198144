import { type Enforcer, newEnforcer, newModelFromString, type Watcher } from 'casbin';
import casbinPgAdapter from 'casbin-pg-adapter';
import type { PostgresAdapter as PostgresAdapterClass } from 'casbin-pg-adapter/lib/adapter.js';
import type pg from 'pg';
import { METHODS, type Method, type PolicyRule, RESOURCES, type Resource, TABLE_RESOURCE } from '../api/policy-text.js';
import type { AccessClaims, AppRole } from '../auth/tokens.js';
import type { ChangeFeed } from '../replica/change-feed.js';

// A CommonJS module whose `exports.default` is the class: Node's ESM loader puts it one level down, bundlers do not.
const PostgresAdapter =
  (casbinPgAdapter as unknown as { default?: typeof PostgresAdapterClass }).default ??
  (casbinPgAdapter as unknown as typeof PostgresAdapterClass);

/** RBAC with domains: a user holds a role in a tenant; a policy lets a role of a tenant use a path with a method. */
const MODEL = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && keyMatch2(r.obj, p.obj) && r.act == p.act
`;

export { METHODS, type Method, type PolicyRule, RESOURCES, type Resource, TABLE_RESOURCE };

/**
 * What every tenant starts with: admins do everything, users read and write but do not delete or deploy (they invoke).
 */
export const DEFAULT_POLICIES: PolicyRule[] = [
  { role: 'admin', path: '/data/*', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
  { role: 'admin', path: '/functions', methods: ['GET', 'POST'] },
  { role: 'admin', path: '/functions/*', methods: ['GET', 'POST', 'DELETE'] },
  { role: 'admin', path: '/workflows', methods: ['GET'] },
  { role: 'admin', path: '/workflows/*', methods: ['GET', 'POST'] },
  { role: 'admin', path: '/storage', methods: ['GET'] },
  { role: 'admin', path: '/storage/*', methods: ['GET', 'PUT', 'DELETE'] },
  { role: 'admin', path: '/auth/policies', methods: ['GET', 'PUT'] },
  { role: 'user', path: '/data/*', methods: ['GET', 'POST', 'PUT', 'PATCH'] },
  { role: 'user', path: '/functions', methods: ['GET'] },
  { role: 'user', path: '/functions/*/invoke', methods: ['POST'] },
  { role: 'user', path: '/functions/*', methods: ['GET'] },
  { role: 'user', path: '/workflows', methods: ['GET'] },
  { role: 'user', path: '/workflows/*', methods: ['GET', 'POST'] },
  { role: 'user', path: '/storage', methods: ['GET'] },
  { role: 'user', path: '/storage/*', methods: ['GET', 'PUT'] },
];

/** An allowed request names the policy rule that let it through; a refused one the rule that would have. */
export type Decision = { allowed: true; rule: string } | { allowed: false; missingRule: string };

/**
 * Casbin's enforcer with policies in Postgres (casbin-pg-adapter), plus a decision cache: enforce() with many role
 * links runs at a few thousand per second, the cache answers repeated (user, tenant, path, method) questions at once
 * and is cleared whenever a policy or role link changes.
 */
export class Authorizer {
  private readonly decisions = new Map<string, Decision>();

  private constructor(
    private readonly enforcer: Enforcer,
    private readonly adapter?: PostgresAdapterClass,
    private readonly maxCached = 50_000,
    private readonly connectionString?: string,
  ) {}

  async close(): Promise<void> {
    await this.adapter?.close();
  }

  /** `migrate: false` joins policies another gateway's start migrated already (it holds the migration's lock). */
  static async create(connectionString: string, { migrate = true } = {}): Promise<Authorizer> {
    const adapter = await PostgresAdapter.newAdapter({
      connectionString,
      max: 2,
      idleTimeoutMillis: 10_000,
      migrate,
    } as never);
    // The adapter's pg.Pool has no 'error' listener, so an idle client dropped by a Postgres restart would end the
    // process; the pool replaces the client by itself, the error only needs a listener.
    const pool = (adapter as unknown as { repo?: { db?: pg.Pool } }).repo?.db;
    if (!pool) throw new Error('casbin-pg-adapter changed its internals: cannot guard its connection pool');
    pool.on('error', () => undefined);
    const enforcer = await newEnforcer(newModelFromString(MODEL), adapter);
    enforcer.enableAutoSave(true);
    return new Authorizer(enforcer, adapter, undefined, connectionString);
  }

  /** For benchmarks and unit tests: policies in memory only; maxCached 0 turns the decision cache off. */
  static async inMemory(maxCached?: number): Promise<Authorizer> {
    return new Authorizer(await newEnforcer(newModelFromString(MODEL)), undefined, maxCached);
  }

  /**
   * Gives every tenant each default rule it has not been given yet (app_private.seeded_policies remembers, so a rule
   * an admin removed stays removed, and a default added in a later version still arrives), and links every app user
   * to its role. Idempotent.
   */
  async sync(db: pg.Pool): Promise<void> {
    const tenants = (await db.query<{ id: string }>('select id from app_private.tenants')).rows;
    for (const { id } of tenants) {
      const seeded = new Set(
        (
          await db.query<{ rule: string }>(
            `select role || ' ' || path || ' ' || method as rule from app_private.seeded_policies where tenant_id = $1`,
            [id],
          )
        ).rows.map((r) => r.rule),
      );
      for (const rule of DEFAULT_POLICIES) {
        for (const method of rule.methods) {
          if (seeded.has(`${rule.role} ${rule.path} ${method}`)) continue;
          await this.enforcer.addPolicy(rule.role, id, rule.path, method); // false (no change) when present already
          await db.query(
            'insert into app_private.seeded_policies (tenant_id, role, path, method) values ($1, $2, $3, $4) on ' +
              'conflict do nothing',
            [id, rule.role, rule.path, method],
          );
        }
      }
    }
    this.decisions.clear();
    const users = (
      await db.query<{ id: string; tenant_id: string; role: AppRole }>(
        'select id, tenant_id, role from app_private.users',
      )
    ).rows;
    for (const u of users) await this.linkUser(u.id, u.role, u.tenant_id);
  }

  /**
   * Shares policy changes with the other gateways on the database: each change saved here is announced, and one
   * announced there (or a cut feed, which may have missed some) reloads the policies here.
   */
  watch(changes: ChangeFeed): void {
    const watcher: Watcher = {
      setUpdateCallback: () => undefined,
      update: async () => {
        await changes.publish('policies');
        return true;
      },
    };
    this.enforcer.setWatcher(watcher);
    const reload = () =>
      void this.enforcer.loadPolicy().then(
        () => this.decisions.clear(),
        () => undefined,
      );
    changes.on('policies', { changed: reload, resync: reload });
  }

  /** Reads every policy again from the database (it was restored or reset), then applies the defaults and links. */
  async reload(db: pg.Pool): Promise<void> {
    // A reset database has no policy table yet: the adapter's own migration makes it.
    if (this.connectionString) await PostgresAdapter.migrate({ connectionString: this.connectionString } as never);
    await this.enforcer.loadPolicy();
    this.decisions.clear();
    await this.sync(db);
  }

  async linkUser(userId: string, role: AppRole, tenantId: string): Promise<void> {
    const current = (await this.enforcer.getFilteredGroupingPolicy(0, userId, '', tenantId)).map((g) => g[1]);
    for (const other of current.filter((r) => r !== role))
      await this.enforcer.removeGroupingPolicy(userId, other!, tenantId);
    if (!current.includes(role)) await this.enforcer.addGroupingPolicy(userId, role, tenantId);
    this.decisions.clear();
  }

  /** Takes the user's role away in their tenant (a deleted user): every request of theirs is refused from now. */
  async unlinkUser(userId: string, tenantId: string): Promise<void> {
    for (const [, role] of await this.enforcer.getFilteredGroupingPolicy(0, userId, '', tenantId))
      await this.enforcer.removeGroupingPolicy(userId, role!, tenantId);
    this.decisions.clear();
  }

  check(claims: AccessClaims, path: string, method: string): Decision {
    const key = `${claims.sub}\u0000${claims.tenant_id}\u0000${path}\u0000${method}`;
    const cached = this.decisions.get(key);
    if (cached) return cached;
    const decision = this.enforceUncached(claims, path, method);
    if (this.maxCached === 0) return decision;
    if (this.decisions.size >= this.maxCached) this.decisions.delete(this.decisions.keys().next().value!);
    this.decisions.set(key, decision);
    return decision;
  }

  enforceUncached(claims: AccessClaims, path: string, method: string): Decision {
    const [allowed, rule] = this.enforcer.enforceExSync(claims.sub, claims.tenant_id, path, method);
    if (allowed) return { allowed: true, rule: `p, ${rule.join(', ')}` };
    const family = RESOURCES.find((r) => keyMatches(path, r)) ?? path;
    return { allowed: false, missingRule: `p, ${claims.role}, ${claims.tenant_id}, ${family}, ${method}` };
  }

  async policies(tenantId: string): Promise<PolicyRule[]> {
    const byKey = new Map<string, PolicyRule>();
    for (const [role, , path, method] of await this.enforcer.getFilteredPolicy(1, tenantId)) {
      const key = `${role} ${path}`;
      const rule = byKey.get(key) ?? { role: role as AppRole, path: path as PolicyRule['path'], methods: [] };
      rule.methods.push(method as Method);
      byKey.set(key, rule);
    }
    return [...byKey.values()];
  }

  /** Replaces one tenant's policies; effective for the next request. */
  async replacePolicies(tenantId: string, rules: PolicyRule[]): Promise<void> {
    await this.enforcer.removeFilteredPolicy(1, tenantId);
    await this.addRules(tenantId, rules);
    this.decisions.clear();
  }

  private async addRules(tenantId: string, rules: PolicyRule[]): Promise<void> {
    for (const rule of rules)
      for (const method of new Set(rule.methods)) await this.enforcer.addPolicy(rule.role, tenantId, rule.path, method);
  }
}

/** keyMatch2's reading of '*' (any run of characters), to name the policy family a refused path belongs to. */
function keyMatches(path: string, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return regex.test(path);
}
