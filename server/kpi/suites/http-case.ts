import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import { packageRoot } from '../../../stack/package-root.js';
import type { CaseResult } from './suite.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: a case reads the answer field by field
  json: any;
}

/** One HTTP call of a case, its body parsed when it is JSON. */
export async function ask(
  method: string,
  url: string,
  opts: {
    token?: string;
    json?: unknown;
    body?: string | Uint8Array | FormData;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (body instanceof FormData) {
    const res = await fetch(url, { method, headers, body });
    return {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      json: await res.json().catch(() => undefined),
    };
  }
  const res = await request(url, { method: method as 'GET', headers, body });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.statusCode, headers: res.headers, json };
}

/** A case: what was asked, what had to happen, what did; a case whose call throws is a failed case, not a crash. */
export async function check(
  name: string,
  requestLine: string,
  expected: string,
  probe: () => Promise<{ observed: string; pass: boolean }>,
): Promise<CaseResult> {
  try {
    return { name, request: requestLine, expected, ...(await probe()) };
  } catch (err) {
    return { name, request: requestLine, expected, observed: `error: ${(err as Error).message}`, pass: false };
  }
}

export const statusIs =
  (...ok: number[]) =>
  (a: Answer) => ({ observed: `${a.status}${a.json?.error ? ` ${a.json.error}` : ''}`, pass: ok.includes(a.status) });

/** Deploys the built `hello` example (wasm/build) under a name, as the token's tenant; the deploy's answer. */
export async function deployHello(gatewayUrl: string, token: string, name: string): Promise<Answer> {
  const form = new FormData();
  form.append('name', name);
  form.append(
    'module',
    new Blob([await readFile(path.join(packageRoot(), 'wasm', 'build', 'hello.wasm'))]),
    'hello.wasm',
  );
  return ask('POST', `${gatewayUrl}/functions`, { token, body: form });
}
