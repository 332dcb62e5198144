// npm run bench:snapshot — save and restore time, and snapshot size, through the running core's API (the same calls
// the CLI and the dashboard make): for the seed, then for a home grown to ~100 MB of rows and objects. Each figure
// is the median of ROUNDS saves and restores.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as Minio from 'minio';
import pg from 'pg';
import { adminApi } from '../server/api/contract.js';
import { startApprun } from '../server/test/apprun-process.js';
import { packageRoot } from '../stack/package-root.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const exec = promisify(execFile);
const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GROW_MB = Number(process.env.BENCH_GROW_MB ?? 100);
/**
 * A test's worth of time before each restore of what changed and each reset, as when a suite resets before every
 * test: the spare copy of the snapshot (made after each save or restore) is ready by then. Back to back (0), the
 * restore waits for that copy.
 */
const TEST_MS = Number(process.env.BENCH_TEST_MS ?? 2000);
const log = (line: string) => process.stdout.write(`[bench:snapshot] ${line}\n`);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [performance.now() - t0, value];
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-bench-snapshot-'));
  await fs.chmod(home, 0o755);
  log(`starting apprun (home ${home}, ports ${PORT_BASE}+)`);
  const run = await startApprun(home, PORT_BASE);
  const api = adminApi(run.state);
  const secrets = JSON.parse(await fs.readFile(path.join(home, 'secrets', 'stack-secrets.json'), 'utf8'));
  const rows: (string | number)[][] = [];
  const results: Record<string, number> = {};
  try {
    const db = new pg.Pool({
      connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${run.state.ports.postgres}/apprun`,
      max: 1,
    });
    db.on('error', () => undefined); // a restore restarts Postgres under it
    // One write a test would make: the next restore has Postgres' data to put back.
    const changeARow = () =>
      db.query(`update api.products set name = name || '' where id = (select min(id) from api.products)`);
    const cli = async (args: string[]) => {
      const t0 = performance.now();
      await exec(process.execPath, [path.join(packageRoot(), 'bin', 'apprun.mjs'), ...args, '--home', home]);
      return performance.now() - t0;
    };
    const measure = async (label: string, key: string) => {
      const saves: number[] = [];
      const restores: number[] = [];
      const fast: number[] = [];
      const fastCli: number[] = [];
      let size = 0;
      for (let i = 1; i <= ROUNDS; i++) {
        const name = `${key}-${i}`;
        const [saveMs, saved] = await timed(() => api.saveSnapshot(name));
        size = saved.sizeBytes;
        await changeARow();
        // Before: every service stopped, swapped and started (what every restore did until now).
        const [restoreMs] = await timed(() => api.restoreSnapshot(name, true));
        // After: only what changed since (Postgres, for a row).
        await changeARow();
        await new Promise((r) => setTimeout(r, TEST_MS));
        const [fastMs] = await timed(() => api.restoreSnapshot(name));
        await changeARow();
        await new Promise((r) => setTimeout(r, TEST_MS));
        const fastCliMs = await cli(['snapshot', 'restore', name]);
        saves.push(saveMs);
        restores.push(restoreMs);
        fast.push(fastMs);
        fastCli.push(fastCliMs);
        log(
          `${label} ${i}/${ROUNDS}: save ${(saveMs / 1000).toFixed(2)} s, restore every service ` +
            `${(restoreMs / 1000).toFixed(2)} s, only what changed (a row) ${(fastMs / 1000).toFixed(2)} s, the same ` +
            `from the CLI ${(fastCliMs / 1000).toFixed(2)} s`,
        );
        await api.deleteSnapshot(name);
      }
      const secs = (list: number[]) =>
        `${(median(list) / 1000).toFixed(2)} s (${list.map((s) => (s / 1000).toFixed(2)).join(', ')})`;
      results[`${key}SaveMs`] = Math.round(median(saves));
      results[`${key}RestoreMs`] = Math.round(median(restores));
      results[`${key}FastRestoreMs`] = Math.round(median(fast));
      results[`${key}FastRestoreCliMs`] = Math.round(median(fastCli));
      results[`${key}SizeMb`] = Math.round((size / 2 ** 20) * 10) / 10;
      rows.push([label, secs(saves), secs(restores), secs(fast), secs(fastCli), `${results[`${key}SizeMb`]} MB`]);
    };
    await measure('the seed', 'seed');

    // apprun reset: the first starts from empty data and keeps the seed; the ones after restore it (what changed).
    const resetCli = async () => {
      const t0 = performance.now();
      const { stdout } = await exec(process.execPath, [
        path.join(packageRoot(), 'bin', 'apprun.mjs'),
        'reset',
        '--home',
        home,
      ]);
      return [performance.now() - t0, stdout.trim()] as const;
    };
    const [firstResetMs, firstSaid] = await resetCli();
    log(
      `apprun reset, the first (from empty data, keeps the seed): ${(firstResetMs / 1000).toFixed(2)} s: ${firstSaid}`,
    );
    const resets: number[] = [];
    const resetsApi: number[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      await changeARow();
      await new Promise((r) => setTimeout(r, TEST_MS));
      const [ms, said] = await resetCli();
      resets.push(ms);
      await changeARow();
      await new Promise((r) => setTimeout(r, TEST_MS));
      const [apiMs] = await timed(() => api.reset(false));
      resetsApi.push(apiMs);
      log(
        `apprun reset ${i}/${ROUNDS} after a row changed: ${(ms / 1000).toFixed(2)} s (${said}); through the API ${(apiMs / 1000).toFixed(2)} s`,
      );
    }
    results.resetFirstMs = Math.round(firstResetMs);
    results.resetCliMs = Math.round(median(resets));
    results.resetApiMs = Math.round(median(resetsApi));
    const resetRows = [
      ['`apprun reset`, the first (from empty data; keeps the seed)', `${(firstResetMs / 1000).toFixed(2)} s`],
      [
        `\`apprun reset\` after a row changed and ${TEST_MS / 1000} s of a test (a restore of the seed: Postgres only), from the CLI`,
        `${(median(resets) / 1000).toFixed(2)} s (${resets.map((x) => (x / 1000).toFixed(2)).join(', ')})`,
      ],
      ['the same through the API', `${(median(resetsApi) / 1000).toFixed(2)} s`],
    ];

    log(`growing the home by ~${GROW_MB} MB: half rows, half objects`);
    // ~1 KB per row.
    const rowCount = Math.round((GROW_MB / 2) * 1024);
    // A table of the bench's own (the products' names are short and unique): rows under 2 KB stay uncompressed.
    await db.query('create table if not exists public.bench_rows (id int primary key, data text not null)');
    await db.query(
      `insert into public.bench_rows select g, (select string_agg(md5(random()::text || g || s), '') from ` +
        'generate_series(1, 32) s) from generate_series(1, $1) g',
      [rowCount],
    );
    const minio = new Minio.Client({
      endPoint: '127.0.0.1',
      port: run.state.ports.minio,
      useSSL: false,
      accessKey: secrets.minioRootUser,
      secretKey: secrets.minioRootPassword,
    });
    await minio.makeBucket('bench-snapshot').catch(() => undefined);
    const object = Buffer.alloc(5 * 2 ** 20, 7);
    for (let i = 0; i < Math.round(GROW_MB / 2 / 5); i++) await minio.putObject('bench-snapshot', `blob-${i}`, object);
    await measure(`~${GROW_MB} MB of rows and objects`, 'grown');
    await db.end();

    const kpis = [
      { name: 'seed: save', target: '< 3 s', ms: results.seedSaveMs!, limit: 3000 },
      { name: 'seed: restore', target: '< 3 s', ms: results.seedRestoreMs!, limit: 3000 },
      {
        name: 'seed: restore after a row changed (only Postgres), from the CLI',
        target: '≤ 1 s',
        ms: results.seedFastRestoreCliMs!,
        limit: 1000,
      },
      {
        name: '`apprun reset` after a row changed, from the CLI',
        target: '≤ 1 s',
        ms: results.resetCliMs!,
        limit: 1000,
      },
      { name: `~${GROW_MB} MB: save`, target: '< 15 s', ms: results.grownSaveMs!, limit: 15_000 },
      { name: `~${GROW_MB} MB: restore`, target: '< 15 s', ms: results.grownRestoreMs!, limit: 15_000 },
    ].map((k) => ({ name: k.name, target: k.target, measured: `${(k.ms / 1000).toFixed(2)} s`, pass: k.ms < k.limit }));
    const report: BenchReport = { suite: 'snapshot', startedAt, machine: machine(), results, kpis };
    await publishReport(report, [
      `# bench:snapshot — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; through the admin API ` +
        `of a running apprun (native driver); ${ROUNDS} rounds, medians. Save: every service held still (SIGSTOP) ` +
        'for the copy, then checksums. Restore of every service: verify, copy beside, stop, swap, start all five ' +
        'healthy (the way until now). Restore of what changed: a row was written since, then ' +
        `${TEST_MS / 1000} s of a test, so only Postgres (and PostgREST on it) is swapped and started, from the ` +
        'spare copy made after the last save or restore; the CLI figure is `apprun snapshot restore NAME` as a ' +
        'whole process, Node start included.',
      '',
      markdownTable(
        ['home', 'save', 'restore every service', 'restore what changed (a row)', 'the same from the CLI', 'size'],
        rows,
      ),
      '',
      markdownTable(['reset', 'wall time'], resetRows),
    ]);
  } finally {
    await run.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench:snapshot failed: ${err.message}\n`);
  process.exit(1);
});
