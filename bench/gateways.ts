// npm run bench:gateways — two gateways on one stack (`apprun up` + `apprun gateway --port`): how fast what one
// changes reaches the other (a policy, a logout), and reads through one gateway vs the same load split over two
// (closed loop, 32 connections in all), interleaved rounds, medians. On 2 cores the gateways, PostgREST, Postgres and
// the load generator share the machine: the scale-out figure says what a second gateway costs or buys here, not on
// a cluster.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runClosedLoop } from '../server/load/load-runner.js';
import { DEFAULT_POLICIES } from '../server/rbac/authorizer.js';
import { startApprun } from '../server/test/apprun-process.js';
import { BIN } from '../server/test/cli.js';
import { loginToken } from './apprun-process.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25900);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 9);
const log = (line: string) => process.stdout.write(`[bench:gateways] ${line}\n`);

async function secondGateway(home: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'gateway', '--port', String(port), '--home', home], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`apprun gateway did not come up:\n${out}`)), 60_000);
    const seen = (c: Buffer) => {
      out += c;
      if (out.includes('second gateway up')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
  });
  return child;
}

/** Milliseconds from a change at one gateway until `seen` holds at the other (polled every 2 ms). */
async function propagation(change: () => Promise<unknown>, seen: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  await change();
  while (!(await seen())) {
    if (performance.now() - t0 > 10_000) throw new Error('not seen within 10 s');
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-gateways-'));
  await fs.chmod(home, 0o755);
  log(`starting apprun (home ${home}, ports ${PORT_BASE}+) and a second gateway`);
  const run = await startApprun(home, PORT_BASE);
  const secondPort = PORT_BASE + 90;
  const child = await secondGateway(home, secondPort);
  const first = run.state.gatewayUrl;
  const second = `http://127.0.0.1:${secondPort}`;
  const results: Record<string, number> = {};
  try {
    const alice = await loginToken(run.state, 'alice@test.com');
    const bob = await loginToken(run.state, 'bob@test.com');
    const get = (at: string, token: string) =>
      fetch(`${at}/data/products?select=name`, { headers: { authorization: `Bearer ${token}` } }).then((r) => {
        void r.body?.cancel();
        return r.status;
      });
    const putPolicies = (policies: unknown) =>
      fetch(`${first}/auth/policies`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({ policies }),
      }).then((r) => r.text());
    const narrowed = DEFAULT_POLICIES.filter((p) => !(p.role === 'user' && p.path === '/data/*'));
    const policyMs: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      policyMs.push(
        await propagation(
          () => putPolicies(narrowed),
          async () => (await get(second, bob)) === 403,
        ),
      );
      await putPolicies(DEFAULT_POLICIES);
      while ((await get(second, bob)) !== 200) await new Promise((r) => setTimeout(r, 2));
    }
    const logoutMs: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const session = (await (
        await fetch(`${first}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'bob@test.com', password: 'apprun-dev-password' }),
        })
      ).json()) as { access_token: string; session_token: string };
      await get(second, session.access_token);
      logoutMs.push(
        await propagation(
          () =>
            fetch(`${first}/auth/logout`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ session_token: session.session_token }),
            }),
          async () => (await get(second, session.access_token)) === 401,
        ),
      );
    }
    results.policyPropagationMs = Math.round(median(policyMs) * 10) / 10;
    results.logoutPropagationMs = Math.round(median(logoutMs) * 10) / 10;
    log(`a policy change reaches the other gateway in ${results.policyPropagationMs} ms (median of ${CHANGES})`);
    log(`a logout reaches the other gateway in ${results.logoutPropagationMs} ms (median of ${CHANGES})`);

    const headers = { authorization: `Bearer ${bob}` };
    const url = (at: string) => `${at}/data/products?select=name`;
    const one: number[] = [];
    const two: number[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      const single = await runClosedLoop(url(first), { connections: 32, seconds: SECONDS, headers });
      const [a, b] = await Promise.all([
        runClosedLoop(url(first), { connections: 16, seconds: SECONDS, headers }),
        runClosedLoop(url(second), { connections: 16, seconds: SECONDS, headers }),
      ]);
      one.push(single.rps);
      two.push(a.rps + b.rps);
      log(
        `round ${i}/${ROUNDS}: one gateway ${Math.round(single.rps)} req/s, two gateways ${Math.round(a.rps + b.rps)} req/s`,
      );
    }
    results.oneGatewayRps = Math.round(median(one));
    results.twoGatewaysRps = Math.round(median(two));
    results.twoOverOne = Math.round((median(two) / median(one)) * 100) / 100;

    const report: BenchReport = {
      suite: 'gateways',
      startedAt,
      machine: machine(),
      results,
      kpis: [
        {
          name: 'a policy change, seen at the other gateway',
          target: '< 1 s',
          measured: `${results.policyPropagationMs} ms`,
          pass: results.policyPropagationMs < 1000,
        },
        {
          name: 'a logout, refused at the other gateway',
          target: '< 1 s',
          measured: `${results.logoutPropagationMs} ms`,
          pass: results.logoutPropagationMs < 1000,
        },
      ],
    };
    await publishReport(report, [
      `# bench:gateways — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; native driver; the appliance's ` +
        `gateway and \`apprun gateway --port\` on the same services. Propagation: the change at the first gateway, ` +
        `then the second polled every 2 ms until it enforces it (${CHANGES} changes, medians). Reads: GET ` +
        `/data/products as a tenant user, closed loop, 32 connections on one gateway vs 16 + 16 on two, ` +
        `${SECONDS} s, ${ROUNDS} interleaved rounds, medians. Both gateways, PostgREST, Postgres and the load share ` +
        'the same 2 cores.',
      '',
      markdownTable(
        ['figure', 'measured'],
        [
          [
            'policy change → enforced at the other gateway',
            `${results.policyPropagationMs} ms (${policyMs.map((m) => m.toFixed(1)).join(', ')})`,
          ],
          [
            'logout → refused at the other gateway',
            `${results.logoutPropagationMs} ms (${logoutMs.map((m) => m.toFixed(1)).join(', ')})`,
          ],
          ['reads, one gateway (32 connections)', `${results.oneGatewayRps} req/s (${one.map(Math.round).join(', ')})`],
          ['reads, two gateways (16 + 16)', `${results.twoGatewaysRps} req/s (${two.map(Math.round).join(', ')})`],
          ['two / one', `${results.twoOverOne}×`],
        ],
      ),
    ]);
  } finally {
    child.kill('SIGTERM');
    await run.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:gateways failed: ${err.message}\n`);
  process.exit(1);
});
