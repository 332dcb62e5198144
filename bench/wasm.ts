// npm run bench:wasm — per example function, on the function pool's threads: cold start (first invoke after upload:
// compile + instantiate + call), hot calls (p50/p99 over a reused instance, string in → out) measured inside the
// worker and as the pool's round trip from the gateway's thread, and a plain JS function doing the same work; the
// network path; then through a real gateway: an invocation end to end, and /healthz and /data while functions spin.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { request } from 'undici';
import { DEFAULT_POOL, FunctionPool, type PoolInvocation } from '../server/functions/function-pool.js';
import { PreparationThread } from '../server/functions/preparation-thread.js';
import { DEFAULT_LIMITS } from '../server/functions/sandbox.js';
import { packageRoot } from '../stack/package-root.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';
import { type GatewayFunctionFigures, measureThroughGateway } from './wasm-gateway.js';

const COLD_RUNS = 15;
const HOT_CALLS = Number(process.env.BENCH_HOT_CALLS ?? 50_000);
const NETWORK_CALLS = 2000;
const log = (line: string) => process.stdout.write(`[bench:wasm] ${line}\n`);
const enc = new TextEncoder();
const dec = new TextDecoder();
const context = {
  sub: '00000000-0000-4000-8000-0000000000a1',
  tenant_id: '00000000-0000-4000-8000-000000000001',
  role: 'admin',
};
const contextBytes = enc.encode(JSON.stringify(context));

/** One invocation of a prepared module on the pool, as FunctionService makes it. */
function invocation(
  key: string,
  module: Uint8Array<ArrayBuffer>,
  input: Uint8Array,
  allowedHosts: string[] = [],
): PoolInvocation {
  return {
    tenant: context.tenant_id,
    key,
    module: () => module,
    limits: DEFAULT_LIMITS,
    tenantConcurrency: 64,
    allowedHosts,
    input,
    context: contextBytes,
  };
}

/** The same work in JavaScript, bytes in and bytes out like the WASM ABI. */
const JS_TWINS: Record<string, { input: string; run: (input: Uint8Array, ctx: Uint8Array) => Uint8Array }> = {
  hello: { input: 'apprun', run: (i) => enc.encode(`Hello, ${dec.decode(i) || 'world'}!`) },
  'price-with-tax': {
    input: '{"name": "Widget", "price": 9.99, "tax_rate": 0.2}',
    run: (i) => {
      const { name, price, tax_rate = 0.2 } = JSON.parse(dec.decode(i));
      const cents = (x: number) => Math.round(x * 100) / 100;
      const tax = cents(price * tax_rate);
      return enc.encode(JSON.stringify({ name, price: cents(price), tax_rate, tax, total: cents(price + tax) }));
    },
  },
  whoami: {
    input: '',
    run: (_i, c) => {
      const { tenant_id, role } = JSON.parse(dec.decode(c));
      return enc.encode(
        JSON.stringify({
          tenant_id,
          role,
          message:
            role === 'admin' ? 'You may deploy functions in this tenant.' : 'You may invoke functions in this tenant.',
        }),
      );
    },
  },
};

function percentiles(samplesMs: number[]) {
  const s = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))]! * 1000 * 100) / 100;
  return { p50Us: at(50), p99Us: at(99) };
}

/**
 * The network path (a function with allowed_hosts, in its worker thread): http-status fetching a local endpoint,
 * next to the same GET made directly with undici. The difference is what the worker and its host call cost.
 */
async function networkRow(preparer: PreparationThread) {
  const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const input = enc.encode(JSON.stringify({ url: `http://${host}/healthz` }));
  const prepared = await preparer.prepare(
    new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', 'http-status.wasm'))),
    DEFAULT_LIMITS.maxMemoryPages,
    true,
  );
  const pool = new FunctionPool({ ...DEFAULT_POOL, workers: 1 });
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await pool.invoke(invocation(`http-status-cold-${i}`, prepared.bytes, input, [host]));
    cold.push(performance.now() - t0);
  }
  const viaFunction: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < NETWORK_CALLS; i++) {
    let t = performance.now();
    await pool.invoke(invocation('http-status', prepared.bytes, input, [host]));
    viaFunction.push(performance.now() - t);
    t = performance.now();
    await (await request(`http://${host}/healthz`)).body.text();
    direct.push(performance.now() - t);
  }
  await pool.stop();
  server.close();
  const row = {
    coldMs: Math.round(median(cold) * 100) / 100,
    function: percentiles(viaFunction),
    directUndici: percentiles(direct),
  };
  log(
    `http-status (network, pool thread): cold ${row.coldMs} ms, per call p50 ${row.function.p50Us} µs p99 ` +
      `${row.function.p99Us} µs (direct undici GET p50 ${row.directUndici.p50Us} µs p99 ${row.directUndici.p99Us} µs)`,
  );
  return row;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const rows: Record<string, unknown>[] = [];
  // As in the gateway: modules are prepared on the preparation thread, so this thread never loads binaryen.
  const preparer = new PreparationThread();
  const pool = new FunctionPool();
  for (const [name, twin] of Object.entries(JS_TWINS)) {
    const raw = new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${name}.wasm`)));
    const input = enc.encode(twin.input);
    const prepareMs: number[] = [];
    const cold: number[] = [];
    const coldInside: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const prepared = await preparer.prepare(raw, DEFAULT_LIMITS.maxMemoryPages, false);
      prepareMs.push(prepared.prepareMs);
      const t0 = performance.now();
      const { timings } = await pool.invoke(invocation(`${name}-cold-${i}`, prepared.bytes, input));
      cold.push(performance.now() - t0);
      coldInside.push(timings.compileMs + timings.instantiateMs + timings.runMs);
    }
    const prepared = (await preparer.prepare(raw, DEFAULT_LIMITS.maxMemoryPages, false)).bytes;
    const inside: number[] = [];
    const roundTrip: number[] = [];
    for (let i = 0; i < HOT_CALLS; i++) {
      const t = performance.now();
      const { timings } = await pool.invoke(invocation(name, prepared, input));
      roundTrip.push(performance.now() - t);
      inside.push(timings.runMs);
    }
    const jsHot: number[] = [];
    for (let i = 0; i < HOT_CALLS; i++) {
      const t = performance.now();
      twin.run(input, contextBytes);
      jsHot.push(performance.now() - t);
    }
    const row = {
      function: name,
      moduleBytes: raw.byteLength,
      prepareMs: Math.round(median(prepareMs) * 100) / 100,
      coldMs: Math.round(median(cold) * 100) / 100,
      coldInsideMs: Math.round(median(coldInside) * 100) / 100,
      wasm: percentiles(inside),
      roundTrip: percentiles(roundTrip),
      js: percentiles(jsHot),
    };
    rows.push(row);
    log(
      `${name}: cold ${row.coldMs} ms (${row.coldInsideMs} ms inside the worker), hot p50 ${row.wasm.p50Us} µs p99 ` +
        `${row.wasm.p99Us} µs inside the worker, pool round trip p50 ${row.roundTrip.p50Us} µs p99 ` +
        `${row.roundTrip.p99Us} µs (plain JS p50 ${row.js.p50Us} µs p99 ${row.js.p99Us} µs)`,
    );
  }
  await pool.stop();
  const network = await networkRow(preparer);
  await preparer.stop();
  const gateway: GatewayFunctionFigures = await measureThroughGateway();
  type Pct = { p50Us: number; p99Us: number };
  type Row = {
    function: string;
    moduleBytes: number;
    prepareMs: number;
    coldMs: number;
    coldInsideMs: number;
    wasm: Pct;
    roundTrip: Pct;
    js: Pct;
  };
  const r = rows as Row[];
  const worstCold = Math.max(...r.map((x) => x.coldMs));
  const worstHot = Math.max(...r.map((x) => x.wasm.p99Us));
  const report: BenchReport = {
    suite: 'wasm',
    startedAt,
    machine: machine(),
    results: { coldRuns: COLD_RUNS, hotCalls: HOT_CALLS, rows, network: { calls: NETWORK_CALLS, ...network }, gateway },
    kpis: [
      {
        name: 'WASM cold start (compile + instantiate + call), worst example',
        target: '< 10 ms',
        measured: `${worstCold} ms`,
        pass: worstCold < 10,
      },
      { name: 'WASM hot call p99, worst example', target: '< 50 µs', measured: `${worstHot} µs`, pass: worstHot < 50 },
      { name: 'WASM cold start (POC)', target: '< 100 ms', measured: `${worstCold} ms`, pass: worstCold < 100 },
      { name: 'WASM hot call (POC)', target: '< 1 ms', measured: `${worstHot} µs`, pass: worstHot < 1000 },
      {
        name: '/healthz while 3 functions spin to their 5 s deadline',
        target: 'answers promptly (< 100 ms)',
        measured: `p50 ${gateway.whileSpinning.healthzP50Ms} ms, max ${gateway.whileSpinning.healthzMaxMs} ms`,
        pass: gateway.whileSpinning.healthzMaxMs < 100,
      },
    ],
  };
  await publishReport(report, [
    `# bench:wasm — ${startedAt}`,
    '',
    `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; the function pool ` +
      `(${DEFAULT_POOL.workers} worker threads) with deadline checkpoints and a 16 MiB memory cap; cold = median of ` +
      `${COLD_RUNS} first calls of a new module (compile + instantiate + call; inside the worker, and with the ` +
      `pool's round trip); hot = ${HOT_CALLS.toLocaleString('en')} calls on a reused instance, string in → out.`,
    '',
    markdownTable(
      [
        'function',
        'module',
        'prepare at upload',
        'cold (round trip)',
        'cold inside',
        'hot p50 inside',
        'hot p99 inside',
        'round trip p50',
        'round trip p99',
        'plain JS p50',
        'plain JS p99',
      ],
      r.map((x) => [
        x.function,
        `${(x.moduleBytes / 1024).toFixed(1)} KiB`,
        `${x.prepareMs} ms`,
        `${x.coldMs} ms`,
        `${x.coldInsideMs} ms`,
        `${x.wasm.p50Us} µs`,
        `${x.wasm.p99Us} µs`,
        `${x.roundTrip.p50Us} µs`,
        `${x.roundTrip.p99Us} µs`,
        `${x.js.p50Us} µs`,
        `${x.js.p99Us} µs`,
      ]),
    ),
    '',
    `Through a real gateway (\`apprun up\`): ${gateway.invokes.toLocaleString('en')} sequential invocations of ` +
      `hello by a user, and ${gateway.whileSpinning.spinners} invocations of a spinning function at its ` +
      `${gateway.whileSpinning.spinTimeoutMs} ms deadline while /healthz and a /data read are probed every 100 ms.`,
    '',
    markdownTable(
      [
        'invoke p50',
        'invoke p99',
        '/healthz idle p50',
        '/healthz while spinning p50 / max',
        '/data while spinning p50 / max',
        'spinners answered',
      ],
      [
        [
          `${gateway.invoke.p50Ms} ms`,
          `${gateway.invoke.p99Ms} ms`,
          `${gateway.healthzIdle.p50Ms} ms`,
          `${gateway.whileSpinning.healthzP50Ms} / ${gateway.whileSpinning.healthzMaxMs} ms`,
          `${gateway.whileSpinning.dataP50Ms} / ${gateway.whileSpinning.dataMaxMs} ms`,
          gateway.whileSpinning.spinStatuses
            .map((st, i) => `${st} at ${gateway.whileSpinning.spinMs[i]} ms`)
            .join(', '),
        ],
      ],
    ),
    '',
    `Network path (manifest allowed_hosts; its HTTP call is made by the gateway's thread while the pool thread ` +
      `waits): http-status GETting a local endpoint, ${NETWORK_CALLS.toLocaleString('en')} calls, next to the same ` +
      `GET made directly with undici.`,
    '',
    markdownTable(
      [
        'function',
        'cold (compile + first call)',
        'per call p50',
        'per call p99',
        'direct undici GET p50',
        'direct undici GET p99',
      ],
      [
        [
          'http-status',
          `${network.coldMs} ms`,
          `${network.function.p50Us} µs`,
          `${network.function.p99Us} µs`,
          `${network.directUndici.p50Us} µs`,
          `${network.directUndici.p99Us} µs`,
        ],
      ],
    ),
  ]);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:wasm failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
