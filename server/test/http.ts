import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { request } from 'undici';
import { inject } from 'vitest';
import { packageRoot } from '../../stack/package-root.js';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read replies field by field (the schemas type the routes)
  json: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTP call to a test server, with the body read and parsed when it is JSON. */
export async function call(method: string, url: string, opts: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

export const stack = () => inject('stack');
/** Another stack's PostgREST and superuser database URL, for suites that run against it (an export's). */
export interface OtherServices {
  postgrestUrl: string;
  postgresUrl: string;
}

/**
 * The gateway this file's suites call: the appliance's, unless the file chose another (callThrough): a second gateway
 * on the same services, or an export's gateway with its own services (known once it is up, hence a function).
 */
let via: string | undefined;
let services: (() => OtherServices) | undefined;
export const callThrough = (url: string, theirServices?: () => OtherServices) => {
  via = url;
  services = theirServices;
};
export const gatewayUrl = () => via ?? stack().gatewayUrl;
export const gateway = (p: string) => `${gatewayUrl()}${p}`;
export const postgrest = (p: string) => `${services?.().postgrestUrl ?? stack().postgrestUrl}${p}`;

const tokens = new Map<string, string>();
/** A gateway token for a seeded user, through a real Kratos login with the dev password. */
export async function tokenFor(email: string): Promise<string> {
  const cached = tokens.get(email);
  if (cached) return cached;
  const res = await login(gateway(''), email);
  if (res.status !== 200) throw new Error(`login for ${email}: ${res.status} ${res.text}`);
  tokens.set(email, res.json.access_token);
  return res.json.access_token;
}

export function login(gatewayUrl: string, email: string, password = DEFAULT_DEV_PASSWORD): Promise<Reply> {
  return call('POST', `${gatewayUrl}/auth/login`, { body: { email, password } });
}

/** A superuser connection to the app database, to check what really happened behind the API. */
export function adminDb(): pg.Pool {
  if (services) {
    // Its stack may restart under the suite (a test of an export's volumes): an idle client's end is no failure.
    const pool = new pg.Pool({ connectionString: services().postgresUrl, max: 2 });
    pool.on('error', () => undefined);
    return pool;
  }
  const secrets = JSON.parse(readFileSync(path.join(stack().home, 'secrets', 'stack-secrets.json'), 'utf8'));
  const password = encodeURIComponent(secrets.postgresPassword);
  return new pg.Pool({
    connectionString: `postgres://postgres:${password}@127.0.0.1:${stack().postgresPort}/apprun`,
    max: 2,
  });
}

export const T1 = '00000000-0000-4000-8000-000000000001';
export const T2 = '00000000-0000-4000-8000-000000000002';

/** No stack trace or internal path ever reaches a client. */
export function expectCleanError(res: Reply, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  if (typeof res.json?.error !== 'string' || typeof res.json?.message !== 'string')
    throw new Error(`not an {error, message} body: ${res.text}`);
  if (/\n\s+at |node_modules|\.[cm]?[jt]s:\d+|file:\/\/|\/(?:dist|server|stack)\/\w/.test(res.text))
    throw new Error(`stack trace or source path leaked: ${res.text}`);
}

/** A built example function (npm run build:wasm). */
export const wasmModule = (name: string) => readFileSync(path.join(packageRoot(), 'wasm', 'build', `${name}.wasm`));

/** Deploys a function through the real multipart API of the gateway at gatewayUrl. */
export async function deployFunction(
  gatewayUrl: string,
  token: string,
  name: string,
  module: Buffer,
  manifest?: object,
): Promise<Reply> {
  const form = new FormData();
  form.append('name', name);
  if (manifest) form.append('manifest', JSON.stringify(manifest));
  form.append('module', new Blob([new Uint8Array(module)], { type: 'application/wasm' }), `${name}.wasm`);
  const res = await fetch(`${gatewayUrl}/functions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json };
}

/** The core's resident memory (the shared test stack runs it in vitest's main process). */
export function coreRssBytes(): number {
  const { pid } = JSON.parse(readFileSync(path.join(stack().home, 'run', 'core.json'), 'utf8'));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}
