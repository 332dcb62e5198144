// The function runtime as a user meets it, through a real `apprun up` in its own process: an invocation end to end
// (HTTP → RBAC → the function → HTTP), and how promptly the gateway answers others while functions spin at their
// maximum timeout. Used by bench:wasm; runnable on its own: tsx bench/wasm-gateway.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startApprun } from '../server/test/apprun-process.js';
import { packageRoot } from '../stack/package-root.js';
import { loginToken } from './apprun-process.js';
import { median } from './report.js';

const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25200);
const INVOKES = Number(process.env.BENCH_INVOKES ?? 2000);
/** Long-running invocations at once, each at the largest allowed timeout (5 s), from a plain user. */
const SPINNERS = 3;
const SPIN_TIMEOUT_MS = 5000;
const PROBE_EVERY_MS = 100;
const log = (line: string) => process.stdout.write(`[bench:wasm] ${line}\n`);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]!;
};
const round = (ms: number) => Math.round(ms * 100) / 100;

async function timed(url: string, init: Parameters<typeof request>[1] = {}): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  const res = await request(url, { ...init, headersTimeout: 30_000, bodyTimeout: 30_000 });
  await res.body.dump();
  return { ms: performance.now() - t0, status: res.statusCode };
}

async function deploy(gateway: string, token: string, name: string, file: string, manifest: object): Promise<void> {
  const form = new FormData();
  form.append('name', name);
  form.append('manifest', JSON.stringify(manifest));
  form.append(
    'module',
    new Blob([fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${file}.wasm`))]),
    `${file}.wasm`,
  );
  const res = await fetch(`${gateway}/functions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (res.status !== 201) throw new Error(`deploy ${name}: ${res.status} ${await res.text()}`);
}

export interface GatewayFunctionFigures {
  invokes: number;
  invoke: { p50Ms: number; p99Ms: number };
  healthzIdle: { p50Ms: number; p99Ms: number };
  whileSpinning: {
    spinners: number;
    spinTimeoutMs: number;
    probes: number;
    healthzP50Ms: number;
    healthzMaxMs: number;
    dataP50Ms: number;
    dataMaxMs: number;
    spinStatuses: number[];
    spinMs: number[];
  };
}

export async function measureThroughGateway(): Promise<GatewayFunctionFigures> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-bench-wasm-'));
  fs.chmodSync(home, 0o755);
  const run = await startApprun(home, PORT_BASE);
  try {
    const gateway = run.state.gatewayUrl;
    const [alice, bob] = [await loginToken(run.state, 'alice@test.com'), await loginToken(run.state, 'bob@test.com')];
    await deploy(gateway, alice, 'hello', 'hello', {});
    await deploy(gateway, alice, 'spin', 'spin', { timeout_ms: SPIN_TIMEOUT_MS });
    const invokeInit = {
      method: 'POST' as const,
      headers: { authorization: `Bearer ${bob}`, 'content-type': 'text/plain' },
      body: 'bench',
    };
    for (let i = 0; i < 200; i++) await timed(`${gateway}/functions/hello/invoke`, invokeInit); // warm-up
    const invoke: number[] = [];
    const healthz: number[] = [];
    for (let i = 0; i < INVOKES; i++) {
      invoke.push((await timed(`${gateway}/functions/hello/invoke`, invokeInit)).ms);
      if (i % 4 === 0) healthz.push((await timed(`${gateway}/healthz`)).ms);
    }
    log(
      `hello through the gateway: p50 ${round(median(invoke))} ms p99 ${round(pct(invoke, 99))} ms over ${INVOKES} ` +
        `calls; /healthz p50 ${round(median(healthz))} ms`,
    );

    // Spinners at their deadline, while /healthz and a /data read are probed on a fixed schedule.
    const spinStart = performance.now();
    const spins = Array.from({ length: SPINNERS }, () =>
      timed(`${gateway}/functions/spin/invoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bob}` },
        body: '',
      }).then((r) => ({ ...r, at: performance.now() - spinStart })),
    );
    const probes: Promise<{ healthz: number; data: number }>[] = [];
    let settled = false;
    void Promise.allSettled(spins).then(() => (settled = true));
    while (!settled && performance.now() - spinStart < 60_000) {
      probes.push(
        Promise.all([
          timed(`${gateway}/healthz`),
          timed(`${gateway}/data/products?select=name`, { headers: { authorization: `Bearer ${bob}` } }),
        ]).then(([h, d]) => ({ healthz: h.ms, data: d.ms })),
      );
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
    const spun = await Promise.all(spins);
    const probed = await Promise.all(probes);
    const whileSpinning = {
      spinners: SPINNERS,
      spinTimeoutMs: SPIN_TIMEOUT_MS,
      probes: probed.length,
      healthzP50Ms: round(median(probed.map((p) => p.healthz))),
      healthzMaxMs: round(Math.max(...probed.map((p) => p.healthz))),
      dataP50Ms: round(median(probed.map((p) => p.data))),
      dataMaxMs: round(Math.max(...probed.map((p) => p.data))),
      spinStatuses: spun.map((s) => s.status),
      spinMs: spun.map((s) => Math.round(s.at)),
    };
    log(
      `while ${SPINNERS} functions spin to their ${SPIN_TIMEOUT_MS} ms deadline: /healthz p50 ` +
        `${whileSpinning.healthzP50Ms} ms max ${whileSpinning.healthzMaxMs} ms, /data p50 ` +
        `${whileSpinning.dataP50Ms} ms max ${whileSpinning.dataMaxMs} ms (${probed.length} probes); spinners ` +
        `answered ${whileSpinning.spinStatuses.join('/')} after ${whileSpinning.spinMs.join(' / ')} ms`,
    );
    return {
      invokes: INVOKES,
      invoke: { p50Ms: round(median(invoke)), p99Ms: round(pct(invoke, 99)) },
      healthzIdle: { p50Ms: round(median(healthz)), p99Ms: round(pct(healthz, 99)) },
      whileSpinning,
    };
  } finally {
    await run.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  measureThroughGateway().then((figures) => process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`));
}
