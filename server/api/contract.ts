// The one typed contract between the dashboard and the core, with two transports: HTTP (web mode, /api/*) and
// Electron IPC (the preload relays the channels below, and nothing else). Types only: safe to import anywhere.

export { SERVICE_NAMES, SERVICE_STATES, type ServiceName, type ServiceState } from '../../stack/service-identity.js';
/** The registration workflow's activities, in the order it runs them (pure data, shared with the workflow bundle). */
export { ACTIVITY_NAMES, type ActivityName } from '../workflows/registration.js';
/** RBAC rules as text (the Settings editor, a project's policies.csv): pure data and parsing. */
export { formatPolicies, type PolicyRule, PolicyTextError, parsePolicies } from './policy-text.js';

import type { Static } from 'typebox';
import type { ServiceName } from '../../stack/service-identity.js';
import type * as Auth from './schemas/auth.js';
import type * as Functions from './schemas/functions.js';
import type * as Kpi from './schemas/kpi.js';
import type * as Project from './schemas/project.js';
import type * as Snapshots from './schemas/snapshots.js';
import type * as Stack from './schemas/stack.js';
import type * as Storage from './schemas/storage.js';
import type * as Workflows from './schemas/workflows.js';

// Every wire type is its route's schema (server/api/schemas/), read as a TypeScript type: written once, checked by
// the gateway on the way in and serialized by it on the way out.
export type ServiceAction = Static<typeof Stack.ServiceActionSchema>;
export type Usage = Static<typeof Stack.UsageSchema>;
/** One service as the API shows it: the supervisor's snapshot and its sampled usage. */
export type ServiceView = Static<typeof Stack.ServiceViewSchema>;
export type StackView = Static<typeof Stack.StackViewSchema>;
export type AdmissionView = Static<typeof Stack.AdmissionViewSchema>;
export type MetricsSampleView = Static<typeof Stack.MetricsSampleSchema>;
export type MetricsView = Static<typeof Stack.MetricsViewSchema>;
export type LogsView = Static<typeof Stack.LogsViewSchema>;
export type DriverChoice = Static<typeof Stack.DriverChoiceSchema>;
/** What the Settings screen edits; saved to APPRUN_HOME/settings.json, applied at the next start. */
export type EditableSettings = Static<typeof Stack.EditableSettingsSchema>;
export type SettingsView = Static<typeof Stack.SettingsViewSchema>;
export type SnapshotView = Static<typeof Snapshots.SnapshotViewSchema>;
export type ResetResult = Static<typeof Snapshots.ResetResultSchema>;
export type FunctionView = Static<typeof Functions.FunctionViewSchema>;
export type LoginView = Static<typeof Auth.LoginViewSchema>;
export type PolicyRuleView = Static<typeof Auth.PolicyRuleSchema>;
export type WorkflowSummaryView = Static<typeof Workflows.WorkflowSummarySchema>;
export type ActivityAttemptView = Static<typeof Workflows.ActivityAttemptSchema>;
export type PendingActivityView = Static<typeof Workflows.PendingActivitySchema>;
export type HistoryEventView = Static<typeof Workflows.HistoryEventSchema>;
export type WorkflowDetailView = Static<typeof Workflows.WorkflowDetailSchema>;
export type StartRegistrationView = Static<typeof Workflows.StartRegistrationSchema>;
export type StoredObjectView = Static<typeof Storage.StoredObjectSchema>;
export type KpisView = Static<typeof Kpi.KpisViewSchema>;
export type KpiView = Static<typeof Kpi.KpiSchema>;
export type BenchRunView = Static<typeof Kpi.BenchRunSchema>;
export type BenchRunSummaryView = Static<typeof Kpi.BenchRunSummarySchema>;
export type StartBenchRun = Static<typeof Kpi.StartRunSchema>;
export type SuiteName = Static<typeof Kpi.SuiteNameSchema>;
export type ProjectView = Static<typeof Project.ProjectViewSchema>;
export type TableView = Static<typeof Project.TableViewSchema>;
export type MigrationStateView = Static<typeof Project.MigrationStateSchema>;
export type DbResetResult = Static<typeof Project.DbResetResultSchema>;
export type DeployFunctionsResult = Static<typeof Project.DeployFunctionsResultSchema>;
export { SUITE_NAMES } from './schemas/kpi.js';

/** A row of /data/outbox (PostgREST's answer: no gateway schema of its own). */
export interface OutboxMessageView {
  id: number;
  to_email: string;
  subject: string;
  body: string;
  workflow_id: string;
  created_at: string;
}

/** What the dashboard makes of an invocation (the route answers the function's own bytes). */
export interface InvocationView {
  ok: boolean;
  status: number;
  /** The function's output, or the failure's message. */
  output: string;
  error?: string;
  timings?: { compileMs: number; instantiateMs: number; runMs: number };
}

/** The dashboard's calls. Tenant features (functions) take the signed-in user's access token. */
export interface ApprunApi {
  stack(): Promise<StackView>;
  metrics(since?: number): Promise<MetricsView>;
  logs(service: ServiceName, tail: number): Promise<LogsView>;
  control(service: ServiceName, action: ServiceAction): Promise<ServiceView>;
  settings(): Promise<SettingsView>;
  saveSettings(settings: EditableSettings): Promise<SettingsView>;
  snapshots(): Promise<SnapshotView[]>;
  /** One checkpoint of the whole stack; named by the time when no name is given. */
  saveSnapshot(name?: string): Promise<SnapshotView>;
  restoreSnapshot(name: string): Promise<SnapshotView>;
  deleteSnapshot(name: string): Promise<void>;
  /** Back to migrations + seed; keepUsers carries the users who signed up over. */
  reset(keepUsers: boolean): Promise<ResetResult>;
  login(email: string, password: string): Promise<LoginView>;
  /** The signed-in tenant admin's tenant's RBAC rules. */
  policies(token: string): Promise<PolicyRuleView[]>;
  /** Replaces them (the admin role must keep GET and PUT on /auth/policies). */
  savePolicies(token: string, rules: PolicyRuleView[]): Promise<PolicyRuleView[]>;
  functions(token: string): Promise<FunctionView[]>;
  deployFunction(token: string, name: string, module: Uint8Array, manifest?: string): Promise<FunctionView>;
  invokeFunction(token: string, name: string, input: string): Promise<InvocationView>;
  deleteFunction(token: string, name: string): Promise<void>;
  workflows(token: string): Promise<WorkflowSummaryView[]>;
  workflow(token: string, workflowId: string): Promise<WorkflowDetailView>;
  startRegistration(token: string, request: StartRegistrationView): Promise<{ workflowId: string; runId: string }>;
  outbox(token: string): Promise<OutboxMessageView[]>;
  objects(token: string, prefix: string): Promise<StoredObjectView[]>;
  putObject(token: string, key: string, data: Uint8Array, contentType: string): Promise<StoredObjectView>;
  getObject(token: string, key: string): Promise<{ contentType: string; data: Uint8Array }>;
  presignObject(token: string, key: string, seconds: number): Promise<{ url: string; expiresAt: string }>;
  deleteObject(token: string, key: string): Promise<void>;
  kpis(): Promise<KpisView>;
  benchRuns(): Promise<BenchRunSummaryView[]>;
  benchRun(id: string): Promise<BenchRunView>;
  startBenchRun(request: StartBenchRun): Promise<BenchRunView>;
  /** The POC report built from the stored runs. */
  report(format: 'md' | 'html'): Promise<string>;
  /** The project: migrations, tables with their tenant-safety verdict and rows per tenant, functions, what changed. */
  project(): Promise<ProjectView>;
  /** The Database type of the project's schema, for @supabase/postgrest-js. */
  projectTypes(): Promise<string>;
  /** The database back to the project's migrations and seed. */
  resetDatabase(keepUsers: boolean): Promise<DbResetResult>;
  /** Builds and deploys the project's functions (one by name, or those that changed). */
  deployFunctions(name?: string): Promise<DeployFunctionsResult>;
}

/** IPC channel per API method; the preload exposes exactly these. */
export const IPC_CHANNELS: { readonly [K in keyof ApprunApi]: `apprun:${string}` } = {
  stack: 'apprun:stack',
  metrics: 'apprun:metrics',
  logs: 'apprun:logs',
  control: 'apprun:control',
  settings: 'apprun:settings',
  saveSettings: 'apprun:save-settings',
  snapshots: 'apprun:snapshots',
  saveSnapshot: 'apprun:save-snapshot',
  restoreSnapshot: 'apprun:restore-snapshot',
  deleteSnapshot: 'apprun:delete-snapshot',
  reset: 'apprun:reset',
  login: 'apprun:login',
  policies: 'apprun:policies',
  savePolicies: 'apprun:save-policies',
  functions: 'apprun:functions',
  deployFunction: 'apprun:deploy-function',
  invokeFunction: 'apprun:invoke-function',
  deleteFunction: 'apprun:delete-function',
  workflows: 'apprun:workflows',
  workflow: 'apprun:workflow',
  startRegistration: 'apprun:start-registration',
  outbox: 'apprun:outbox',
  objects: 'apprun:objects',
  putObject: 'apprun:put-object',
  getObject: 'apprun:get-object',
  presignObject: 'apprun:presign-object',
  deleteObject: 'apprun:delete-object',
  kpis: 'apprun:kpis',
  benchRuns: 'apprun:bench-runs',
  benchRun: 'apprun:bench-run',
  startBenchRun: 'apprun:start-bench-run',
  report: 'apprun:report',
  project: 'apprun:project',
  projectTypes: 'apprun:project-types',
  resetDatabase: 'apprun:reset-database',
  deployFunctions: 'apprun:deploy-functions',
};

/**
 * The contract for a caller holding the per-run admin token: the desktop shell, the CLI, benchmarks and tests. The
 * one admin client: nothing else speaks to /api/* by hand.
 */
export function adminApi(
  core: { gatewayUrl: string; adminToken: string },
  options: { fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): ApprunApi {
  return createHttpApi(core.gatewayUrl, { 'x-apprun-admin-token': core.adminToken }, options);
}

/** A storage key in a URL path: each segment encoded, the slashes kept. */
const keyPath = (key: string) => key.split('/').map(encodeURIComponent).join('/');

/** A refused call: the gateway's {error, message} and the status. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The contract over HTTP, for both transports: the browser (same origin, the dashboard cookie, the CSRF header) and
 * the Electron main process (the gateway's URL and the admin token) differ only in baseUrl and headers.
 */
export function createHttpApi(
  baseUrl: string,
  headers: Record<string, string>,
  { fetchImpl = fetch, timeoutMs }: { fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): ApprunApi {
  const send = async (
    method: string,
    path: string,
    init: {
      json?: unknown;
      form?: FormData;
      text?: string;
      bytes?: { data: Uint8Array; type: string };
      token?: string;
    } = {},
  ) => {
    const h: Record<string, string> = { ...headers };
    if (init.token) h.authorization = `Bearer ${init.token}`;
    let body: BodyInit | undefined;
    if (init.json !== undefined) {
      h['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) body = init.form;
    else if (init.bytes) {
      h['content-type'] = init.bytes.type;
      body = new Blob([new Uint8Array(init.bytes.data)]);
    } else if (init.text !== undefined) {
      h['content-type'] = 'text/plain; charset=utf-8';
      body = init.text;
    }
    try {
      const signal = timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined;
      return await fetchImpl(`${baseUrl}${path}`, { method, headers: h, body, credentials: 'same-origin', signal });
    } catch {
      throw new ApiCallError(0, 'unreachable', 'the apprun core is not answering — is it still running?');
    }
  };
  const json = async <T>(res: Response): Promise<T> => {
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiCallError(res.status, body.error ?? 'error', body.message ?? `HTTP ${res.status}`);
    return body as T;
  };
  const ms = (res: Response, name: string) => Number(res.headers.get(`x-apprun-${name}-ms`) ?? 0);
  return {
    stack: async () => json(await send('GET', '/api/stack')),
    metrics: async (since = 0) => json(await send('GET', `/api/stack/metrics?since=${Number(since)}`)),
    logs: async (service, tail) =>
      json(await send('GET', `/api/stack/${encodeURIComponent(service)}/logs?tail=${Number(tail)}`)),
    control: async (service, action) =>
      json(await send('POST', `/api/stack/${encodeURIComponent(service)}/${encodeURIComponent(action)}`)),
    settings: async () => json(await send('GET', '/api/settings')),
    saveSettings: async (settings) => json(await send('PUT', '/api/settings', { json: settings })),
    snapshots: async () => (await json<{ snapshots: SnapshotView[] }>(await send('GET', '/api/snapshots'))).snapshots,
    saveSnapshot: async (name) => json(await send('POST', '/api/snapshots', { json: name ? { name } : {} })),
    restoreSnapshot: async (name) =>
      json(await send('POST', `/api/snapshots/${encodeURIComponent(name)}/restore`, { json: {} })),
    deleteSnapshot: async (name) => {
      const res = await send('DELETE', `/api/snapshots/${encodeURIComponent(name)}`);
      if (!res.ok) await json(res);
    },
    reset: async (keepUsers) => json(await send('POST', '/api/reset', { json: { keepUsers } })),
    login: async (email, password) => json(await send('POST', '/auth/login', { json: { email, password } })),
    policies: async (token) =>
      (await json<{ policies: PolicyRuleView[] }>(await send('GET', '/auth/policies', { token }))).policies,
    savePolicies: async (token, rules) =>
      (
        await json<{ policies: PolicyRuleView[] }>(
          await send('PUT', '/auth/policies', { json: { policies: rules }, token }),
        )
      ).policies,
    functions: async (token) =>
      (await json<{ functions: FunctionView[] }>(await send('GET', '/functions', { token }))).functions,
    deployFunction: async (token, name, module, manifest) => {
      const form = new FormData();
      form.append('name', name);
      if (manifest?.trim()) form.append('manifest', manifest);
      form.append('module', new Blob([new Uint8Array(module)], { type: 'application/wasm' }), `${name}.wasm`);
      return json(await send('POST', '/functions', { form, token }));
    },
    invokeFunction: async (token, name, input) => {
      const res = await send('POST', `/functions/${encodeURIComponent(name)}/invoke`, { text: input, token });
      const text = await res.text();
      if (res.ok)
        return {
          ok: true,
          status: res.status,
          output: text,
          timings: { compileMs: ms(res, 'compile'), instantiateMs: ms(res, 'instantiate'), runMs: ms(res, 'run') },
        };
      let error: { error?: string; message?: string } = {};
      try {
        error = JSON.parse(text);
      } catch {
        error = { message: text };
      }
      return { ok: false, status: res.status, output: error.message ?? text, error: error.error ?? 'error' };
    },
    deleteFunction: async (token, name) => {
      const res = await send('DELETE', `/functions/${encodeURIComponent(name)}`, { token });
      if (!res.ok) await json(res);
    },
    workflows: async (token) =>
      (await json<{ workflows: WorkflowSummaryView[] }>(await send('GET', '/workflows', { token }))).workflows,
    workflow: async (token, workflowId) =>
      json(await send('GET', `/workflows/${encodeURIComponent(workflowId)}`, { token })),
    startRegistration: async (token, request) =>
      json(await send('POST', '/workflows/registration', { json: request, token })),
    outbox: async (token) => json(await send('GET', '/data/outbox?order=created_at.desc&limit=100', { token })),
    objects: async (token, prefix) =>
      (
        await json<{ objects: StoredObjectView[] }>(
          await send('GET', `/storage?prefix=${encodeURIComponent(prefix)}`, { token }),
        )
      ).objects,
    putObject: async (token, key, data, contentType) =>
      json(
        await send('PUT', `/storage/${keyPath(key)}`, {
          bytes: { data, type: contentType || 'application/octet-stream' },
          token,
        }),
      ),
    getObject: async (token, key) => {
      const res = await send('GET', `/storage/${keyPath(key)}`, { token });
      if (!res.ok) await json(res);
      return {
        contentType: res.headers.get('content-type') ?? 'application/octet-stream',
        data: new Uint8Array(await res.arrayBuffer()),
      };
    },
    presignObject: async (token, key, seconds) =>
      json(await send('GET', `/storage/${keyPath(key)}?presign=${Number(seconds)}`, { token })),
    deleteObject: async (token, key) => {
      const res = await send('DELETE', `/storage/${keyPath(key)}`, { token });
      if (!res.ok) await json(res);
    },
    kpis: async () => json(await send('GET', '/api/kpis')),
    benchRuns: async () => (await json<{ runs: BenchRunSummaryView[] }>(await send('GET', '/api/bench/runs'))).runs,
    benchRun: async (id) => json(await send('GET', `/api/bench/runs/${encodeURIComponent(id)}`)),
    startBenchRun: async (request) => json(await send('POST', '/api/bench/runs', { json: request })),
    report: async (format) => {
      const res = await send('GET', `/api/kpis/report?format=${format === 'md' ? 'md' : 'html'}`);
      if (!res.ok) await json(res);
      return res.text();
    },
    project: async () => json(await send('GET', '/api/project')),
    projectTypes: async () => (await json<{ types: string }>(await send('GET', '/api/project/types'))).types,
    resetDatabase: async (keepUsers) => json(await send('POST', '/api/project/db/reset', { json: { keepUsers } })),
    deployFunctions: async (name) =>
      json(await send('POST', '/api/project/functions/deploy', { json: name ? { name } : {} })),
  };
}
