import fs from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';

/**
 * The app home: data, logs, secrets, pid files and the binary cache.
 * APPRUN_HOME wins; otherwise the OS user-data dir. As root (servers, CI containers) the default is /var/lib/apprun,
 * because Postgres must run as an unprivileged user and cannot enter /root.
 */
export function resolveHomeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.APPRUN_HOME) return path.resolve(env.APPRUN_HOME);
  if (process.getuid?.() === 0) return '/var/lib/apprun';
  return envPaths('apprun', { suffix: '' }).data;
}

/**
 * The binary cache (Temporal, MinIO, Kratos): shared by every app home on the machine, because building them from
 * source takes minutes. APPRUN_CACHE_DIR wins; as root /var/cache/apprun; else the OS cache dir.
 */
export function resolveCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.APPRUN_CACHE_DIR) return path.resolve(env.APPRUN_CACHE_DIR);
  if (process.getuid?.() === 0) return '/var/cache/apprun';
  return envPaths('apprun', { suffix: '' }).cache;
}

export class AppHome {
  constructor(readonly root: string) {}

  get logsDir(): string {
    return path.join(this.root, 'logs');
  }
  get runDir(): string {
    return path.join(this.root, 'run');
  }
  get secretsDir(): string {
    return path.join(this.root, 'secrets');
  }
  get binDir(): string {
    return path.join(this.root, 'bin');
  }
  dataDir(service: string): string {
    return path.join(this.root, 'data', service);
  }
  pidFile(service: string): string {
    return path.join(this.runDir, `${service}.pid`);
  }
  get coreStateFile(): string {
    return path.join(this.runDir, 'core.json');
  }

  async ensure(): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o755 });
    await Promise.all([
      fs.mkdir(this.logsDir, { recursive: true }),
      fs.mkdir(this.runDir, { recursive: true, mode: 0o700 }),
      fs.mkdir(path.join(this.root, 'data'), { recursive: true, mode: 0o755 }),
      fs.mkdir(this.secretsDir, { recursive: true, mode: 0o700 }),
    ]);
    await fs.chmod(this.secretsDir, 0o700);
  }
}

/** Writes a file only its owner can read (0600), atomically, so a crash never leaves half a secret. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, content, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}

export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}
