// npm run bench:wasm — per example function: cold start (first invoke after upload: compile + instantiate + call),
// hot calls (p50/p99 over a reused instance, string in → out), and a plain JS function doing the same work, in one run.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { request } from 'undici';
import { NetworkSandbox } from '../server/functions/network-sandbox.js';
import { prepareModule } from '../server/functions/prepare.js';
import { FunctionRuntime } from '../server/functions/runtime.js';
import { DEFAULT_LIMITS } from '../server/functions/sandbox.js';
import { packageRoot } from '../stack/package-root.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const COLD_RUNS = 15;
const HOT_CALLS = Number(process.env.BENCH_HOT_CALLS ?? 50_000);
const NETWORK_CALLS = 2000;
const log = (line: string) => process.stdout.write(`[bench:wasm] ${line}\n`);
const enc = new TextEncoder();
const dec = new TextDecoder();
const context = { sub: '00000000-0000-4000-8000-0000000000a1', tenant_id: '00000000-0000-4000-8000-000000000001', role: 'admin' };

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
      return enc.encode(JSON.stringify({ tenant_id, role, message: role === 'admin' ? 'You may deploy functions in this tenant.' : 'You may invoke functions in this tenant.' }));
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
async function networkRow() {
  const server = http.createServer((_req, res) => res.end('{"status":"ok"}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const input = enc.encode(JSON.stringify({ url: `http://${host}/healthz` }));
  const prepared = prepareModule(new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', 'http-status.wasm'))), DEFAULT_LIMITS.maxMemoryPages, { network: true });
  const cold: number[] = [];
  for (let i = 0; i < 5; i++) {
    const sandbox = new NetworkSandbox();
    const t0 = performance.now();
    await sandbox.load('http-status', prepared.bytes, {}, [host]);
    await sandbox.invoke('http-status', input, context);
    cold.push(performance.now() - t0);
    await sandbox.stop();
  }
  const sandbox = new NetworkSandbox();
  await sandbox.load('http-status', prepared.bytes, {}, [host]);
  const viaFunction: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < NETWORK_CALLS; i++) {
    let t = performance.now();
    await sandbox.invoke('http-status', input, context);
    viaFunction.push(performance.now() - t);
    t = performance.now();
    await (await request(`http://${host}/healthz`)).body.text();
    direct.push(performance.now() - t);
  }
  await sandbox.stop();
  server.close();
  const row = { coldMs: Math.round(median(cold) * 100) / 100, function: percentiles(viaFunction), directUndici: percentiles(direct) };
  log(`http-status (network, worker thread): cold ${row.coldMs} ms, per call p50 ${row.function.p50Us} µs p99 ${row.function.p99Us} µs (direct undici GET p50 ${row.directUndici.p50Us} µs p99 ${row.directUndici.p99Us} µs)`);
  return row;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const rows: Record<string, unknown>[] = [];
  for (const [name, twin] of Object.entries(JS_TWINS)) {
    const raw = new Uint8Array(fs.readFileSync(path.join(packageRoot(), 'wasm', 'build', `${name}.wasm`)));
    const input = enc.encode(twin.input);
    const prepareMs: number[] = [];
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const prepared = prepareModule(raw, DEFAULT_LIMITS.maxMemoryPages);
      prepareMs.push(prepared.prepareMs);
      const runtime = new FunctionRuntime();
      const t0 = performance.now();
      await runtime.load(name, prepared.bytes);
      runtime.invoke(name, input, context);
      cold.push(performance.now() - t0);
    }
    const runtime = new FunctionRuntime();
    await runtime.load(name, prepareModule(raw, DEFAULT_LIMITS.maxMemoryPages).bytes);
    const wasmHot: number[] = [];
    for (let i = 0; i < HOT_CALLS; i++) {
      const t = performance.now();
      runtime.invoke(name, input, context);
      wasmHot.push(performance.now() - t);
    }
    const ctx = enc.encode(JSON.stringify(context));
    const jsHot: number[] = [];
    for (let i = 0; i < HOT_CALLS; i++) {
      const t = performance.now();
      twin.run(input, ctx);
      jsHot.push(performance.now() - t);
    }
    const row = {
      function: name,
      moduleBytes: raw.byteLength,
      prepareMs: Math.round(median(prepareMs) * 100) / 100,
      coldMs: Math.round(median(cold) * 100) / 100,
      wasm: percentiles(wasmHot),
      js: percentiles(jsHot),
    };
    rows.push(row);
    log(`${name}: cold ${row.coldMs} ms, hot p50 ${row.wasm.p50Us} µs p99 ${row.wasm.p99Us} µs (plain JS p50 ${row.js.p50Us} µs p99 ${row.js.p99Us} µs)`);
  }
  const network = await networkRow();
  type Row = { function: string; moduleBytes: number; prepareMs: number; coldMs: number; wasm: { p50Us: number; p99Us: number }; js: { p50Us: number; p99Us: number } };
  const r = rows as Row[];
  const worstCold = Math.max(...r.map((x) => x.coldMs));
  const worstHot = Math.max(...r.map((x) => x.wasm.p99Us));
  const report: BenchReport = {
    suite: 'wasm',
    startedAt,
    machine: machine(),
    results: { coldRuns: COLD_RUNS, hotCalls: HOT_CALLS, rows, network: { calls: NETWORK_CALLS, ...network } },
    kpis: [
      { name: 'WASM cold start (compile + instantiate + call), worst example', target: '< 10 ms', measured: `${worstCold} ms`, pass: worstCold < 10 },
      { name: 'WASM hot call p99, worst example', target: '< 50 µs', measured: `${worstHot} µs`, pass: worstHot < 50 },
      { name: 'WASM cold start (POC)', target: '< 100 ms', measured: `${worstCold} ms`, pass: worstCold < 100 },
      { name: 'WASM hot call (POC)', target: '< 1 ms', measured: `${worstHot} µs`, pass: worstHot < 1000 },
    ],
  };
  await publishReport(report, [
    `# bench:wasm — ${startedAt}`,
    '',
    `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; in-process runtime with deadline checkpoints and a 16 MiB memory cap; cold = median of ${COLD_RUNS} fresh runtimes; hot = ${HOT_CALLS.toLocaleString('en')} calls on a reused instance, string in → out.`,
    '',
    markdownTable(
      ['function', 'module', 'prepare at upload', 'cold', 'hot p50', 'hot p99', 'plain JS p50', 'plain JS p99'],
      r.map((x) => [x.function, `${(x.moduleBytes / 1024).toFixed(1)} KiB`, `${x.prepareMs} ms`, `${x.coldMs} ms`, `${x.wasm.p50Us} µs`, `${x.wasm.p99Us} µs`, `${x.js.p50Us} µs`, `${x.js.p99Us} µs`]),
    ),
    '',
    `Network path (manifest allowed_hosts; the function runs in a worker thread and its HTTP call is made by the gateway's thread): http-status GETting a local endpoint, ${NETWORK_CALLS.toLocaleString('en')} calls, next to the same GET made directly with undici.`,
    '',
    markdownTable(
      ['function', 'cold (worker start + compile + first call)', 'per call p50', 'per call p99', 'direct undici GET p50', 'direct undici GET p99'],
      [['http-status', `${network.coldMs} ms`, `${network.function.p50Us} µs`, `${network.function.p99Us} µs`, `${network.directUndici.p50Us} µs`, `${network.directUndici.p99Us} µs`]],
    ),
  ]);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:wasm failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
