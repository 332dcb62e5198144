import { decodeJwt } from 'jose';
import type pg from 'pg';
import type { Static } from 'typebox';
import { request } from 'undici';
import type { ExplainBodySchema, ExplanationSchema } from '../api/schemas/explain.js';
import type { Access } from '../auth/access.js';
import { type AccessClaims, accessClaimsOf } from '../auth/tokens.js';
import type { TenantGuard } from '../data/tenant-guard.js';
import { DomainError } from '../errors.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { formatTraceparent, TraceIds } from '../tracing/trace-context.js';
import { TRACED_PREFIXES, type Tracer } from '../tracing/tracer.js';
import type { UserAdmin } from '../users/user-admin.js';
import { meaningOf } from './error-codes.js';
import { countSentence, policiesOf, type TableExplanation } from './table-report.js';

export type ExplainInput = Static<typeof ExplainBodySchema>;
export type Explanation = Static<typeof ExplanationSchema>;
type Step = Explanation['steps'][number];

export interface ExplainerDeps {
  db: pg.Pool;
  users: UserAdmin;
  access: Access;
  guard: TenantGuard;
  tracer: Tracer;
  gatewayUrl: string;
  postgrestUrl: string;
}

const READS = new Set(['GET', 'HEAD']);
/** Query parameters of writes only: left out of the counts (a read would take them for filters). */
const WRITE_PARAMS = new Set(['columns', 'on_conflict']);
/** The counting role (stack/sql/009_explainer_role.sql): reads everything, bypasses RLS, never given out. */
const EXPLAINER_CLAIMS: AccessClaims = {
  sub: 'apprun-explainer',
  email: 'explainer@apprun.invalid',
  tenant_id: '00000000-0000-4000-8000-000000000000',
  role: 'user',
  db_role: 'apprun_explainer',
  sid: 'explain',
};

const invalid = (code: string, message: string) => new DomainError('invalid', code, message);

/** The path checked: a gateway tenant path, relative, with no way out of it. */
function checkedPath(path: string): string {
  if (!path.startsWith('/') || path.startsWith('//'))
    throw invalid('path_outside_gateway', `"${path.slice(0, 100)}" is not a gateway path (e.g. /data/notes?select=*)`);
  const pathOnly = path.split('?')[0]!;
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathOnly);
  } catch {
    throw invalid('path_outside_gateway', 'the path has a malformed percent-escape');
  }
  if (decoded.split('/').includes('..') || !TRACED_PREFIXES.some((prefix) => pathOnly.startsWith(prefix)))
    throw invalid(
      'path_outside_gateway',
      `"${pathOnly.slice(0, 100)}" is outside the tenant API: explain a path under ${TRACED_PREFIXES.join(', ')}`,
    );
  return path;
}

/** The row count of a Content-Range header (`0-2/3`, `*\/0`); null when it carries none. */
function countOf(header: unknown): number | null {
  const m = typeof header === 'string' ? /\/(\d+)$/.exec(header) : null;
  return m ? Number(m[1]) : null;
}

/**
 * Says why a request got what it got, without changing anything: the caller's token, the RBAC rule that let it
 * through or the one missing, and for /data the answer itself (sent as the caller through the gateway; a write in a
 * transaction PostgREST rolls back), the RLS policies of the table for the caller's role with their expressions, and
 * how many rows the same filter matches across tenants against how many the caller sees (counted by a read-only
 * role that bypasses RLS, with HEAD requests: counts, never rows).
 */
export class AccessExplainer {
  private readonly ids = new TraceIds();

  constructor(private readonly deps: ExplainerDeps) {}

  async explain(input: ExplainInput): Promise<Explanation> {
    let method: string | undefined = input.method;
    let { path, as } = input;
    if (input.traceId) {
      const trace = this.deps.tracer.ring.get(input.traceId);
      if (!trace) throw new DomainError('not_found', 'unknown_trace', `no trace ${input.traceId} is kept`);
      method ??= trace.method;
      path ??= trace.url;
      as ??= trace.caller?.user;
      if (!as) return this.refusedToken(trace);
    }
    if (!method || !path) throw invalid('invalid_request', 'give method and path (or the traceId of a kept request)');
    if (input.token !== undefined && !as) {
      const verified = await this.deps.access.verifier.verify(input.token).catch((err: unknown) => {
        if (err instanceof DomainError) return err;
        throw err;
      });
      if (verified instanceof DomainError) return this.badToken(input.token, verified, method, path);
      as = verified.sub;
    }
    if (!as) throw invalid('invalid_request', 'give "as": the email (or id) of the user to explain the request for');
    path = checkedPath(path);
    const user = await this.deps.users.get(as).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'unknown_user')
        throw invalid('unknown_user', `no user ${as} (give an email or id; the Users screen lists them)`);
      throw err;
    });
    const claims = accessClaimsOf(user, `explain-${this.ids.spanId()}`);
    const caller = {
      email: user.email,
      tenant: user.tenant_id,
      tenantName: user.tenant_name,
      role: user.role,
      dbRole: claims.db_role,
    };
    const base = { method, path, caller, executed: false, rolledBack: false, traceId: null, tables: [], code: null };
    const steps: Step[] = [];

    if (user.state === 'disabled') {
      steps.push({
        step: 'token',
        verdict: 'fail',
        detail: `${user.email} is disabled: every token of theirs is refused`,
      });
      return {
        ...base,
        status: 401,
        error: 'session_revoked',
        message: meaningOf('session_revoked')!,
        summary: `401: ${user.email} is disabled, so the gateway refuses their tokens; enable them (Users screen)`,
        steps,
        rbac: null,
      };
    }
    steps.push({
      step: 'token',
      verdict: 'pass',
      detail:
        `a token of ${user.email}: role ${user.role} in tenant ${user.tenant_name}, database role ${claims.db_role}` +
        (user.state === 'no-identity' ? ' (they have no Kratos identity, so they cannot log in themselves)' : ''),
    });

    const pathOnly = path.split('?')[0]!;
    const decision = this.deps.access.authorizer.check(claims, pathOnly, method === 'HEAD' ? 'GET' : method);
    const rules = (await this.deps.access.authorizer.policies(user.tenant_id))
      .filter((r) => r.role === user.role)
      .flatMap((r) => r.methods.map((m) => `p, ${r.role}, ${user.tenant_id}, ${r.path}, ${m}`));
    const rule = decision.allowed ? decision.rule : decision.missingRule;
    const rbac = { allowed: decision.allowed, rule, rules };
    if (!decision.allowed) {
      steps.push({ step: 'rbac', verdict: 'fail', detail: `no rule allows ${method} ${pathOnly}; missing: ${rule}` });
      return {
        ...base,
        status: 403,
        error: 'forbidden',
        message: `role ${user.role} of tenant ${user.tenant_id} may not ${method} ${pathOnly}: no policy allows it`,
        summary:
          `403: role ${user.role} of tenant ${user.tenant_name} has ${rules.length} rules, none for ${method} ` +
          `${pathOnly}; the missing one is "${rule}" (add it in the tenant's policies)`,
        steps,
        rbac,
        code: { code: 'forbidden', meaning: meaningOf('forbidden')! },
      };
    }
    steps.push({ step: 'rbac', verdict: 'pass', detail: `allowed by "${rule}"` });

    const isData = pathOnly.startsWith('/data/');
    const write = !READS.has(method);
    if (write && !isData) {
      steps.push({ step: 'send', verdict: 'info', detail: 'not sent: only a /data write can be rolled back' });
      return {
        ...base,
        status: null,
        error: null,
        message: null,
        summary: `RBAC allows ${method} ${pathOnly} by "${rule}"; the request was not sent, since a write outside /data cannot be undone`,
        steps,
        rbac,
      };
    }
    return this.sent({ ...base, rbac, steps }, claims, method, path, isData, input.body);
  }

  /** The request sent as the caller through the gateway (a write rolled back), and for /data its tables explained. */
  private async sent(
    base: Omit<Explanation, 'status' | 'error' | 'message' | 'summary'>,
    claims: AccessClaims,
    method: string,
    path: string,
    isData: boolean,
    body: unknown,
  ): Promise<Explanation> {
    const { steps } = base;
    const token = (await this.deps.access.issuer.mint(claims, 60)).access_token;
    const traceId = this.ids.traceId();
    const write = !READS.has(method);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      traceparent: formatTraceparent(traceId, this.ids.spanId(), '01'),
    };
    if (isData) headers.prefer = write ? 'tx=rollback, count=exact, return=minimal' : 'count=exact';
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await request(`${this.deps.gatewayUrl}${path}`, {
      method: method as 'GET',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = method === 'HEAD' ? '' : await res.body.text();
    if (method === 'HEAD') await res.body.dump();
    const applied = String(res.headers['preference-applied'] ?? '');
    const rolledBack = write && applied.includes('tx=rollback');
    if (write && res.statusCode < 300 && !rolledBack)
      throw new DomainError('bad_upstream', 'not_rolled_back', 'PostgREST did not confirm the rollback of the write');
    let answer: { error?: string; message?: string; code?: string } = {};
    if (res.statusCode >= 400) {
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        answer = { message: text.slice(0, 300) };
      }
    }
    const status = res.statusCode;
    const codeName = answer.code ?? answer.error;
    const meaning = codeName ? meaningOf(codeName) : undefined;
    steps.push({
      step: 'send',
      verdict: status < 400 ? 'pass' : 'fail',
      detail: `${status}${write ? ' (in a transaction rolled back: nothing changed)' : ''}${answer.message ? `: ${answer.message}` : ''}`,
    });
    const tables = isData ? await this.tables(claims, token, method, path, res.headers['content-range']) : [];
    for (const t of tables) steps.push({ step: 'rls', verdict: t.hidden ? 'info' : 'pass', detail: t.sentence });
    const hiddenTables = tables.filter((t) => (t.hidden ?? 0) > 0);
    const summary =
      status >= 400
        ? `${status}${codeName ? ` ${codeName}` : ''}: ${meaning ?? answer.message ?? 'see the message'}`
        : hiddenTables.length
          ? `${status}: ${hiddenTables.map((t) => `${t.table}: ${t.sentence}`).join('; ')}`
          : `${status}: allowed by "${base.rbac?.rule}"${tables[0] ? `; ${tables[0].sentence}` : ''}`;
    return {
      ...base,
      status,
      error: answer.error ?? null,
      message: answer.message ?? null,
      executed: true,
      rolledBack,
      traceId,
      tables,
      summary,
      code: codeName && meaning ? { code: codeName, meaning } : null,
    };
  }

  /** The table a /data path names, its policies for the caller, and (for filters) the counts. */
  private async tables(
    claims: AccessClaims,
    /** The caller's token minted for this explanation. */
    token: string,
    method: string,
    path: string,
    contentRange: unknown,
  ): Promise<TableExplanation[]> {
    const [pathOnly, query = ''] = path.split('?') as [string, string?];
    const resource = pathOnly.slice('/data/'.length);
    if (resource.startsWith('rpc/') || resource.includes('/')) return [];
    const table = decodeURIComponent(resource);
    const schema = 'api';
    const { kind, rlsEnabled, policies } = await policiesOf(this.deps.db, schema, table, claims.db_role, method);
    const filtered = method !== 'POST' && method !== 'PUT';
    let matching: number | null = null;
    let visible: number | null = null;
    if (kind !== null && filtered) {
      const params = new URLSearchParams(query);
      for (const name of WRITE_PARAMS) params.delete(name);
      const countQuery = params.size ? `?${params}` : '';
      // Across tenants: as the counting role, straight to PostgREST. Visible: a read's own answer said it; for an
      // update or delete, the same filter read through the gateway as the caller.
      const counter = (await this.deps.access.issuer.mint(EXPLAINER_CLAIMS, 30)).access_token;
      matching = await this.count(`${this.deps.postgrestUrl}/${resource}${countQuery}`, counter);
      visible = READS.has(method)
        ? countOf(contentRange)
        : await this.count(`${this.deps.gatewayUrl}${pathOnly}${countQuery}`, token);
    }
    const partial = {
      schema,
      table,
      kind,
      rlsEnabled,
      tenantPinned: this.deps.guard.tenantColumnOf(table, schema) !== undefined,
      policies,
      matching,
      visible,
      hidden: matching !== null && visible !== null ? Math.max(0, matching - visible) : null,
    };
    return [{ ...partial, sentence: countSentence(partial) }];
  }

  /** The rows a filter matches for a token: a HEAD with an exact count, so rows are counted and never sent. */
  private async count(url: string, token: string): Promise<number | null> {
    const res = await request(url, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}`, prefer: 'count=exact' },
    });
    await res.body.dump();
    return res.statusCode < 300 ? countOf(res.headers['content-range']) : null;
  }

  /** A token the gateway refuses: why, with what it claims (read without trusting it) and when it expired. */
  private badToken(token: string, err: DomainError, method: string, path: string): Explanation {
    let claimed = '';
    try {
      const payload = decodeJwt(token);
      if (typeof payload.email === 'string') claimed += ` It claims to be ${payload.email}.`;
      if (typeof payload.exp === 'number' && err.code === 'token_expired')
        claimed +=
          ` It expired at ${new Date(payload.exp * 1000).toISOString()} ` +
          `(${Math.round(Date.now() / 1000 - payload.exp)} s ago); log in again for a new one.`;
    } catch {
      claimed = ' It is not a JWT at all.';
    }
    const meaning = meaningOf(err.code) ?? err.message;
    return {
      method,
      path,
      caller: null,
      status: 401,
      error: err.code,
      message: err.message,
      executed: false,
      rolledBack: false,
      traceId: null,
      summary: `401 ${err.code}: ${err.message}.${claimed}`,
      steps: [{ step: 'token', verdict: 'fail', detail: `${meaning}.${claimed}` }],
      rbac: null,
      tables: [],
      code: { code: err.code, meaning },
    };
  }

  /** A kept request refused before any caller was known (a 401): what was wrong with its token. */
  private refusedToken(trace: RequestTrace): Explanation {
    const code = trace.error ?? null;
    const meaning = code ? meaningOf(code) : undefined;
    return {
      method: trace.method,
      path: trace.url,
      caller: null,
      status: trace.status,
      error: code,
      message: meaning ?? null,
      executed: false,
      rolledBack: false,
      traceId: trace.traceId,
      summary: `${trace.status}${code ? ` ${code}` : ''}: ${meaning ?? 'the request was refused before its caller was known'}`,
      steps: [{ step: 'token', verdict: 'fail', detail: meaning ?? `refused with ${trace.status}` }],
      rbac: null,
      tables: [],
      code: code && meaning ? { code, meaning } : null,
    };
  }
}
