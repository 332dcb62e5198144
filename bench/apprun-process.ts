import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { request } from 'undici';
import type { CoreState } from '../server/core.js';
import { DEFAULT_DEV_PASSWORD } from '../server/settings.js';
import { packageRoot } from '../stack/package-root.js';

export interface RunningApprun {
  child: ChildProcess;
  state: CoreState;
  /** Milliseconds from spawn to "all healthy and the gateway listening". */
  startMs: number;
  stop(): Promise<void>;
}

/** Runs `apprun up` in its own process (so load generators never share its event loop) until it reports ready. */
export async function startApprun(home: string, portBase: number): Promise<RunningApprun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'apprun.mjs'), 'up', '--home', home, '--port-base', String(portBase)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let startMs = 0;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (!startMs && out.includes('core       ready')) startMs = performance.now() - t0;
      if (out.includes('Ctrl-C stops everything')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`apprun up exited (${code}):\n${out}`)));
  });
  const state = JSON.parse(await fs.readFile(path.join(home, 'run', 'core.json'), 'utf8')) as CoreState;
  return {
    child,
    state,
    startMs,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** An access token for a seeded user, through a real login. */
export async function loginToken(state: CoreState, email = 'alice@test.com'): Promise<string> {
  const res = await request(`${state.gatewayUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEFAULT_DEV_PASSWORD }),
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${await res.body.text()}`);
  return ((await res.body.json()) as { access_token: string }).access_token;
}

export async function adminGet<T>(state: CoreState, p: string): Promise<T> {
  const res = await request(`${state.gatewayUrl}${p}`, { headers: { 'x-apprun-admin-token': state.adminToken } });
  return (await res.body.json()) as T;
}

export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
