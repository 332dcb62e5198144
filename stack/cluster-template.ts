import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { provisionBinary } from './binaries.js';
import { waitHealthy } from './health.js';
import { AppHome } from './home.js';
import { migrationFiles, SQL_DIR, withClient } from './migrate.js';
import { isAlive } from './pid-files.js';
import { freeLoopbackPort, portMap } from './ports.js';
import { loadOrCreateSecrets } from './secrets.js';
import { LOOPBACK, type ServiceContext } from './services/definition.js';
import { kratos } from './services/kratos.js';
import { adminUrl, postgres, postgresVersion } from './services/postgres.js';
import type { ProgressFn } from './spec.js';

// Bump when what goes into the template changes other than through the inputs of its key (initdb's flags, the steps).
const TEMPLATE_FORMAT = 1;
const KEPT_TEMPLATES = 3;

/**
 * Names what a template holds: the PostgreSQL build, the app's migrations (names and contents) and Kratos' version
 * (its migrations). A change to any of them makes a new template; an old one is never reused for it.
 */
export async function clusterTemplateKey(): Promise<string> {
  const hash = createHash('sha256').update(
    JSON.stringify({ format: TEMPLATE_FORMAT, postgres: await postgresVersion(), kratos: kratos.binary?.version }),
  );
  for (const file of await migrationFiles())
    hash.update(`\0${file}\0`).update(await fs.readFile(path.join(SQL_DIR(), file)));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The pristine cluster a fresh home copies: initdb'd, the app's migrations applied, Kratos' database migrated, no
 * passwords. Built once per key into the binary cache (~3.4 s), like the service binaries, then reused by every home.
 */
export async function clusterTemplate(cacheDir: string, progress: ProgressFn): Promise<string> {
  const dir = path.join(cacheDir, 'cluster-templates');
  const target = path.join(dir, `postgres-${await clusterTemplateKey()}`);
  if (await fs.stat(path.join(target, 'PG_VERSION')).catch(() => undefined)) return target;
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  await buildTemplate(target, cacheDir, progress);
  await pruneTemplates(dir, target);
  return target;
}

async function buildTemplate(target: string, cacheDir: string, progress: ProgressFn): Promise<void> {
  const say = (step: string, fraction: number) => progress({ service: 'postgres', step, fraction });
  say('first run on this machine: preparing the database cluster template (once)', 0);
  // A throwaway home: its secrets are dropped with it, and the template keeps no password.
  const home = new AppHome(`${target}.building-${process.pid}`);
  await fs.rm(home.root, { recursive: true, force: true });
  try {
    await home.ensure();
    const secrets = await loadOrCreateSecrets(home);
    const ports = { ...portMap(), postgres: await freeLoopbackPort() };
    const context: ServiceContext = {
      home,
      ports,
      secrets,
      jwks: '',
      network: LOOPBACK,
      progress: () => undefined,
      binary: () => provisionBinary('kratos', kratos.binary!, cacheDir, progress),
    };
    const db = await postgres.spec(context); // no clusterTemplate in the context: prepare runs initdb in place
    await db.prepare?.(
      () => undefined,
      () => undefined,
    );
    say('database cluster template: applying migrations', 0.4);
    await whilePostgresRuns(db.command, async (exited) => {
      await waitHealthy(db.health, db.startTimeoutMs, exited);
      await db.afterHealthy?.(() => undefined);
      const identities = await kratos.spec(context);
      say("database cluster template: applying Kratos' migrations", 0.6);
      await identities.prepare?.(
        () => undefined,
        () => undefined,
      );
      await dropPasswords(adminUrl(ports, secrets, 'postgres'));
    });
    await fs.rm(path.join(db.dataDir!, 'postmaster.opts'), { force: true });
    await fs.rename(db.dataDir!, target).catch(async (err: NodeJS.ErrnoException) => {
      // Another start built the same template meanwhile: theirs is as good.
      if (!(await fs.stat(path.join(target, 'PG_VERSION')).catch(() => undefined))) throw err;
    });
  } catch (err) {
    throw new Error(`building the database cluster template failed: ${(err as Error).message}`);
  } finally {
    await fs.rm(home.root, { recursive: true, force: true });
  }
  say('database cluster template ready', 1);
}

/**
 * Runs Postgres while fn runs (the template's migrations), and stops it (fast shutdown) whatever fn did. fn gets what
 * says, for a wait, that Postgres has exited.
 */
export async function whilePostgresRuns(
  command: { path: string; args: string[]; runAs?: { uid: number; gid: number } },
  fn: (exited: () => string | undefined) => Promise<void>,
): Promise<void> {
  const child = spawn(command.path, command.args, {
    uid: command.runAs?.uid,
    gid: command.runAs?.gid,
    env: { PATH: process.env.PATH, LANG: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const early = exited.then((code) => {
    throw new Error(`postgres exited ${code}: ${log.trim().split('\n').slice(-3).join(' / ')}`);
  });
  try {
    await Promise.race([fn(() => (child.exitCode === null ? undefined : 'postgres exited')), early]);
  } finally {
    early.catch(() => undefined);
    if (child.exitCode === null) {
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Every home sets its own: the template must hold no credential, not even a throwaway one. */
function dropPasswords(url: string): Promise<void> {
  return withClient(url, async (client) => {
    for (const role of ['authenticator', 'kratos', 'postgres']) await client.query(`alter role ${role} password null`);
  });
}

/**
 * Keeps the few most recently built templates (each is ~56 MB, and a new one comes with each migration), and removes
 * what a build that died left (its process is gone).
 */
async function pruneTemplates(dir: string, keep: string): Promise<void> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    const builder = /\.building-(\d+)$/.exec(e.name);
    if (builder && !isAlive(Number(builder[1]))) await fs.rm(path.join(dir, e.name), { recursive: true, force: true });
  }
  const built = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && /^postgres-[0-9a-f]{16}$/.test(e.name) && path.join(dir, e.name) !== keep)
      .map(async (e) => ({ file: path.join(dir, e.name), mtime: (await fs.stat(path.join(dir, e.name))).mtimeMs })),
  );
  built.sort((a, b) => b.mtime - a.mtime);
  for (const old of built.slice(KEPT_TEMPLATES - 1)) await fs.rm(old.file, { recursive: true, force: true });
}
