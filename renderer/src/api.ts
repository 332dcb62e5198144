import { type ApprunApi, httpRequestFor } from '../../server/api/contract';

/** The error the dashboard shows: the gateway's {error, message}, or a network failure in words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Web mode: /api/* on the same origin, authenticated by the dashboard cookie (plus the CSRF header on writes). */
function httpApi(): ApprunApi {
  const call = async (method: keyof ApprunApi, args: unknown[]) => {
    const req = httpRequestFor(method, args as never);
    let res: Response;
    try {
      res = await fetch(req.path, {
        method: req.method,
        credentials: 'same-origin',
        headers: { 'x-apprun-ui': '1', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'the apprun core is not answering — is it still running?');
    }
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, body.error ?? 'error', body.message ?? `HTTP ${res.status}`);
    return body;
  };
  return new Proxy({} as ApprunApi, { get: (_t, method: string) => (...args: unknown[]) => call(method as keyof ApprunApi, args) });
}

/** Desktop: the preload's typed bridge (IPC); in a browser: HTTP. One contract either way. */
export const api: ApprunApi = window.apprun ?? httpApi();
