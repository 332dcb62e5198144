// The gateway hop against its references, closed loop and at a fixed rate, in interleaved rounds of one run:
// PostgREST directly (with and without its Server-Timing phases), a bare node:http + undici proxy, nginx, and the
// gateway with tracing off and on (switched at run time through the admin API, so both rounds hit the same process).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { adminApi } from '../server/api/contract.js';
import type { CoreState } from '../server/core-state.js';
import { freePort } from '../server/load/free-port.js';
import { runClosedLoop, runLoad } from '../server/load/load-runner.js';
import { nginxBinary, startNginx } from '../server/load/nginx.js';
import { median } from './report.js';

export const HOPS = ['direct', 'directNoTiming', 'bare', 'nginx', 'gatewayOff', 'gatewayOn'] as const;
export type Hop = (typeof HOPS)[number];

export const HOP_LABELS: Record<Hop, string> = {
  direct: 'PostgREST directly (Server-Timing on, as apprun runs it)',
  directNoTiming: 'PostgREST directly, Server-Timing off (a second PostgREST, same database)',
  bare: 'bare node:http + undici proxy',
  nginx: 'nginx (1 worker, keepalive)',
  gatewayOff: 'the gateway, tracing off',
  gatewayOn: 'the gateway, tracing on',
};

export interface HopFloor {
  rps: Record<Hop, number[]>;
  /** At a fixed rate, open loop: p50 and p99 per round. */
  fixed: Record<Hop, { p50: number[]; p99: number[] }>;
  fixedRate: number;
}

async function waitForLine(child: ChildProcess, what: string): Promise<void> {
  await Promise.race([
    once(child.stdout!, 'data'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`${what} exited (${code})`))),
  ]);
}

/**
 * A second PostgREST like the stack's (its own environment, read from /proc) on other ports with Server-Timing off:
 * what PostgREST's own phase timing costs, measured beside the one apprun runs.
 */
async function startPostgrestWithoutTiming(pid: number): Promise<{ url: string; stop(): void }> {
  const env: Record<string, string> = {};
  for (const entry of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
    const at = entry.indexOf('=');
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const port = await freePort();
  const child = spawn(fs.readlinkSync(`/proc/${pid}/exe`), [], {
    env: {
      ...env,
      PGRST_SERVER_PORT: String(port),
      PGRST_ADMIN_SERVER_PORT: String(await freePort()),
      PGRST_SERVER_TIMING_ENABLED: 'false',
      PGRST_DB_POOL: env.PGRST_DB_POOL ?? '10',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/`)
      .then((r) => r.status < 500)
      .catch(() => false);
    if (ok) return { url, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the second PostgREST did not answer');
}

export async function measureHopFloor(
  state: CoreState,
  headers: Record<string, string>,
  opts: { rounds: number; seconds: number; fixedRate: number; log: (line: string) => void },
): Promise<HopFloor> {
  const api = adminApi(state);
  const postgrestPid = (await api.stack()).services.find((s) => s.name === 'postgrest')?.pid;
  if (!postgrestPid) throw new Error('PostgREST has no pid in /api/stack');
  const postgrestUrl = `http://127.0.0.1:${state.ports.postgrest}`;
  const barePort = await freePort();
  const bare = spawn(
    process.execPath,
    [path.join(import.meta.dirname, 'bare-node-proxy.mjs'), String(barePort), postgrestUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await waitForLine(bare, 'the bare proxy');
  if (!nginxBinary())
    throw new Error('nginx is not installed (apt-get install nginx-light): the reference row needs it');
  const nginx = await startNginx(await freePort(), state.ports.postgrest);
  const untimed = await startPostgrestWithoutTiming(postgrestPid);
  const read = '/products?select=name,price';
  const urls: Record<Hop, string> = {
    direct: `${postgrestUrl}${read}`,
    directNoTiming: `${untimed.url}${read}`,
    bare: `http://127.0.0.1:${barePort}/data${read}`,
    nginx: `${nginx.url}/data${read}`,
    gatewayOff: `${state.gatewayUrl}/data${read}`,
    gatewayOn: `${state.gatewayUrl}/data${read}`,
  };
  const floor: HopFloor = {
    rps: Object.fromEntries(HOPS.map((h) => [h, []])) as unknown as HopFloor['rps'],
    fixed: Object.fromEntries(HOPS.map((h) => [h, { p50: [], p99: [] }])) as unknown as HopFloor['fixed'],
    fixedRate: opts.fixedRate,
  };
  const tracing = (hop: Hop) => (hop === 'gatewayOff' ? api.setTracing(false) : api.setTracing(true));
  try {
    for (let round = 1; round <= opts.rounds; round++) {
      // Each round in another order, so no hop always runs first (or right after the same neighbour).
      const order = round % 2 ? HOPS : [...HOPS].reverse();
      for (const hop of order) {
        await tracing(hop);
        opts.log(`hop round ${round}/${opts.rounds}: ${hop}, closed loop, 32 connections, ${opts.seconds} s`);
        const r = await runClosedLoop(urls[hop], { connections: 32, seconds: opts.seconds, headers });
        if (r.errors || r.non2xx) throw new Error(`${hop}: ${r.errors} errors and ${r.non2xx} non-2xx answers`);
        floor.rps[hop].push(r.rps);
        opts.log(`hop round ${round}/${opts.rounds}: ${hop}, ${opts.fixedRate} req/s open loop, ${opts.seconds} s`);
        const [fixed] = await runLoad(
          [{ name: hop, url: urls[hop], rate: opts.fixedRate, seconds: opts.seconds, headers }],
          () => undefined,
        );
        floor.fixed[hop].p50.push(fixed!.p50Ms);
        floor.fixed[hop].p99.push(fixed!.p99Ms);
      }
    }
  } finally {
    await api.setTracing(true).catch(() => undefined);
    bare.kill();
    untimed.stop();
    await nginx.stop();
  }
  return floor;
}

/** The median of per-round ratios a/b (rounds are paired, so drift between rounds cancels). */
export function pairedRatio(a: number[], b: number[]): number {
  return Math.round(median(a.map((x, i) => x / b[i]!)) * 1000) / 1000;
}
