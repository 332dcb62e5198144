// npm run bench:snapshot — save and restore time, and snapshot size, through the running core's API (the same calls
// the CLI and the dashboard make): for the seed, then for a home grown to ~100 MB of rows and objects. Each figure
// is the median of ROUNDS saves and restores.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as Minio from 'minio';
import pg from 'pg';
import { adminApi } from '../server/api/contract.js';
import { startApprun } from '../server/test/apprun-process.js';
import { type BenchReport, machine, markdownTable, median, publishReport } from './report.js';

const PORT_BASE = Number(process.env.BENCH_PORT_BASE ?? 25500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GROW_MB = Number(process.env.BENCH_GROW_MB ?? 100);
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
    const measure = async (label: string, key: string) => {
      const saves: number[] = [];
      const restores: number[] = [];
      let size = 0;
      for (let i = 1; i <= ROUNDS; i++) {
        const name = `${key}-${i}`;
        const [saveMs, saved] = await timed(() => api.saveSnapshot(name));
        size = saved.sizeBytes;
        const [restoreMs] = await timed(() => api.restoreSnapshot(name));
        saves.push(saveMs);
        restores.push(restoreMs);
        log(
          `${label} ${i}/${ROUNDS}: save ${(saveMs / 1000).toFixed(2)} s, restore ${(restoreMs / 1000).toFixed(2)} s`,
        );
        await api.deleteSnapshot(name);
      }
      results[`${key}SaveMs`] = Math.round(median(saves));
      results[`${key}RestoreMs`] = Math.round(median(restores));
      results[`${key}SizeMb`] = Math.round((size / 2 ** 20) * 10) / 10;
      rows.push([
        label,
        `${(median(saves) / 1000).toFixed(2)} s (${saves.map((s) => (s / 1000).toFixed(1)).join(', ')})`,
        `${(median(restores) / 1000).toFixed(2)} s (${restores.map((s) => (s / 1000).toFixed(1)).join(', ')})`,
        `${results[`${key}SizeMb`]} MB`,
      ]);
    };
    await measure('the seed', 'seed');

    log(`growing the home by ~${GROW_MB} MB: half rows, half objects`);
    const db = new pg.Pool({
      connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${run.state.ports.postgres}/apprun`,
    });
    // ~1 KB per row.
    const rowCount = Math.round((GROW_MB / 2) * 1024);
    // A table of the bench's own (the products' names are short and unique): rows under 2 KB stay uncompressed.
    await db.query('create table if not exists public.bench_rows (id int primary key, data text not null)');
    await db.query(
      `insert into public.bench_rows select g, (select string_agg(md5(random()::text || g || s), '') from ` +
        'generate_series(1, 32) s) from generate_series(1, $1) g',
      [rowCount],
    );
    await db.end();
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

    const kpis = [
      { name: 'seed: save', target: '< 3 s', ms: results.seedSaveMs!, limit: 3000 },
      { name: 'seed: restore', target: '< 3 s', ms: results.seedRestoreMs!, limit: 3000 },
      { name: `~${GROW_MB} MB: save`, target: '< 15 s', ms: results.grownSaveMs!, limit: 15_000 },
      { name: `~${GROW_MB} MB: restore`, target: '< 15 s', ms: results.grownRestoreMs!, limit: 15_000 },
    ].map((k) => ({ name: k.name, target: k.target, measured: `${(k.ms / 1000).toFixed(2)} s`, pass: k.ms < k.limit }));
    const report: BenchReport = { suite: 'snapshot', startedAt, machine: machine(), results, kpis };
    await publishReport(report, [
      `# bench:snapshot — ${startedAt}`,
      '',
      `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; through the admin API ` +
        `of a running apprun (native driver); ${ROUNDS} rounds, medians. Save: every service held still (SIGSTOP) ` +
        'for the copy, then checksums. Restore: verify, copy beside, stop, swap, start all five healthy.',
      '',
      markdownTable(['home', 'save', 'restore (to all healthy)', 'snapshot size'], rows),
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
