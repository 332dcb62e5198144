// The contract over HTTP (web mode and the Electron main process): one client for both transports.
import type {
  ApprunApi,
  BenchRunSummaryView,
  ExampleView,
  FunctionView,
  PolicyRuleView,
  SnapshotView,
  StoredObjectView,
  WorkflowSummaryView,
} from './views.js';

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
      headers?: Record<string, string>;
    } = {},
  ) => {
    const h: Record<string, string> = { ...headers, ...init.headers };
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
    restoreSnapshot: async (name, full) =>
      json(await send('POST', `/api/snapshots/${encodeURIComponent(name)}/restore`, { json: full ? { full } : {} })),
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
    examples: async () =>
      (await json<{ examples: ExampleView[] }>(await send('GET', '/api/functions/examples'))).examples,
    exampleModule: async (name) => {
      const res = await send('GET', `/api/functions/examples/${encodeURIComponent(name)}`);
      if (!res.ok) await json(res);
      return new Uint8Array(await res.arrayBuffer());
    },
    users: async (tenant) =>
      json(await send('GET', `/api/users${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`)),
    createUser: async (user) => json(await send('POST', '/api/users', { json: user })),
    updateUser: async (id, change) =>
      json(await send('PATCH', `/api/users/${encodeURIComponent(id)}`, { json: change })),
    deleteUser: async (id) => {
      const res = await send('DELETE', `/api/users/${encodeURIComponent(id)}`);
      if (!res.ok) await json(res);
    },
    actAs: async (id) => json(await send('POST', `/api/users/${encodeURIComponent(id)}/act-as`)),
    sql: async (request) => json(await send('POST', '/api/sql', { json: request })),
    traces: async (query = {}) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      return json(await send('GET', `/api/traces${params.size ? `?${params}` : ''}`));
    },
    trace: async (traceId) => json(await send('GET', `/api/traces/${encodeURIComponent(traceId)}`)),
    setTracing: async (enabled) => json(await send('PUT', '/api/traces/settings', { json: { enabled } })),
    explain: async (request) => json(await send('POST', '/api/explain', { json: request })),
    mail: async (query = {}) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
      return json(await send('GET', `/api/mail${params.size ? `?${params}` : ''}`));
    },
    mailMessage: async (id) => json(await send('GET', `/api/mail/${encodeURIComponent(id)}`)),
    clearMail: async () => json(await send('DELETE', '/api/mail')),
    data: async (token, method, path, body) => {
      const res = await send(method, `/data/${path.replace(/^\/+/, '')}`, {
        token,
        ...(body ? { json: body } : {}),
        headers: method === 'GET' ? { prefer: 'count=exact' } : { prefer: 'return=representation' },
      });
      const rows = await json<Record<string, unknown>[]>(res);
      const total = Number(res.headers.get('content-range')?.split('/')[1]);
      return { rows: Array.isArray(rows) ? rows : [], ...(Number.isFinite(total) ? { total } : {}) };
    },
  };
}
