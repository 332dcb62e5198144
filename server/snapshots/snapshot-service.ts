import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import type { Driver } from '../../stack/driver.js';
import { type AppHome, readJsonIfExists, writePrivateFile } from '../../stack/home.js';
import { SQL_DIR } from '../../stack/migrate.js';
import { packageRoot } from '../../stack/package-root.js';
import { SERVICES } from '../../stack/services/index.js';
import {
  checkSnapshotName,
  SnapshotError,
  type SnapshotManifest,
  type SnapshotStore,
  timestampName,
  type WhileStopped,
} from '../../stack/snapshots.js';
import type { ProgressFn } from '../../stack/spec.js';
import type { Supervisor } from '../../stack/supervisor.js';

/** What wrote a home's data: the apprun version, its migrations, and each service's version. */
export interface DataVersions {
  apprun: string;
  migrations: string[];
  services: Record<string, string>;
}

const versionsFile = (home: AppHome) => path.join(home.root, 'data', 'written-by.json');

/** This apprun's versions: the package, its migration files, and each service file's binary or image version. */
export async function currentVersions(): Promise<DataVersions> {
  const pkg = JSON.parse(await fs.readFile(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return {
    apprun: pkg.version,
    migrations: (await fs.readdir(SQL_DIR())).filter((f) => f.endsWith('.sql')).sort(),
    services: Object.fromEntries(SERVICES.map((s) => [s.name, s.binary?.version ?? s.image.image.split(':')[1]!])),
  };
}

/** Why the home's data counts as written by an older apprun, or undefined when it is this one's (or a new home). */
export async function upgradeFrom(home: AppHome, now: DataVersions): Promise<string | undefined> {
  const hasData = await fs.stat(home.dataDir('postgres')).catch(() => undefined);
  if (!hasData) return undefined;
  const before = await readJsonIfExists<DataVersions>(versionsFile(home)).catch(() => undefined);
  if (!before) return 'data written by an apprun that did not record its version';
  const changes: string[] = [];
  if (before.apprun !== now.apprun) changes.push(`apprun ${before.apprun} → ${now.apprun}`);
  const added = now.migrations.filter((m) => !before.migrations.includes(m));
  if (added.length) changes.push(`${added.length} new migration${added.length > 1 ? 's' : ''} (${added.join(', ')})`);
  for (const [service, version] of Object.entries(now.services))
    if (before.services[service] && before.services[service] !== version)
      changes.push(`${service} ${before.services[service]} → ${version}`);
  return changes.length ? changes.join(', ') : undefined;
}

/**
 * A snapshot of a home no service runs in (before an upgrade, or with apprun down): the files are still, so they are
 * copied as they are. Its migrations are not known without Postgres running, so the manifest lists none.
 */
export async function saveAtRest(store: SnapshotStore, name: string, reason: string): Promise<SnapshotManifest> {
  return store.save(name, { migrations: [], versions: { apprun: (await currentVersions()).apprun }, reason }, (copy) =>
    copy(),
  );
}

export const recordVersions = (home: AppHome, now: DataVersions) =>
  writePrivateFile(versionsFile(home), JSON.stringify(now, null, 2));

export interface SnapshotServiceOptions {
  home: AppHome;
  store: SnapshotStore;
  supervisor: Supervisor;
  driver: Driver;
  db: pg.Pool;
  progress: ProgressFn;
  /** Brings the core's own state (policies, identities, buckets) in line with a restored or reset stack. */
  afterRestore: () => Promise<void>;
  /** For `reset --keep-users`: the signed-up users out before, and back in after. */
  users: {
    export: () => Promise<unknown[]>;
    import: (users: unknown[]) => Promise<{ kept: number; skipped: string[] }>;
  };
}

/** The services whose data lives in a folder of their own under data/: a restore may swap just the ones that changed. */
const DATA_SERVICES = ['postgres', 'minio', 'temporal'] as const;
type DataService = (typeof DATA_SERVICES)[number];
type Markers = Record<DataService, string>;

/** Every file's path, size and mtime under a folder, hashed: changes whenever a service writes there. */
async function treeStamp(dir: string): Promise<string> {
  const hash = createHash('sha1');
  const walk = async (at: string): Promise<void> => {
    const entries = await fs.readdir(at, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const st = await fs.stat(full).catch(() => undefined);
        if (st) hash.update(`${full}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

export interface ResetResult {
  keptUsers: number;
  skippedUsers: string[];
}

/**
 * Snapshots of the running stack. A save freezes every service at one instant (SIGSTOP of each process tree, or the
 * engine's pause) and copies the files: the copy is what a power cut at that instant would leave, which Postgres
 * (its WAL), SQLite and MinIO recover from on start. Writes wait meanwhile (~a second for the seed); nothing is
 * restarted. A restore stops the services, swaps the data in with renames, and starts them; migrations newer than the
 * snapshot are applied by the normal start. One operation at a time.
 */
export class SnapshotService {
  private busy?: string;
  /**
   * What the live data is a copy of: the snapshot saved or restored last, and each service's marker then (Postgres'
   * WAL position, the other folders' file stamps). A restore of that snapshot swaps and restarts only the services
   * whose marker moved since; the others hold the snapshot's data already.
   */
  private baseline?: { name: string; markers: Markers; settings: string | undefined };

  constructor(private readonly o: SnapshotServiceOptions) {}

  list(): Promise<SnapshotManifest[]> {
    return this.o.store.list();
  }

  async save(name = timestampName(), reason = 'saved by hand'): Promise<SnapshotManifest> {
    checkSnapshotName(name);
    return this.exclusive(`saving ${name}`, async () => {
      const meta = { migrations: await this.appliedMigrations(), versions: await this.versions(), reason };
      // Read before the freeze: a write between this and the freeze moves a marker, so the next restore of this
      // snapshot restores that service (never the other way round).
      const markers = await this.markers();
      const settings = await this.liveSettings();
      const running = this.o.supervisor.services.filter((s) => this.o.driver.status(s).running);
      return this.o.store
        .save(
          name,
          meta,
          async (copy) => {
            const paused: typeof running = [];
            try {
              for (const service of running) {
                await this.o.driver.pause(service);
                paused.push(service);
              }
              await copy();
            } finally {
              for (const service of paused.reverse()) await this.o.driver.resume(service);
            }
          },
          this.o.progress,
        )
        .then((manifest) => {
          this.baseline = { name, markers, settings };
          return manifest;
        });
    });
  }

  /**
   * Puts a snapshot's data back. When the live data is that snapshot's plus changes (it was saved or restored last),
   * only the services whose data changed are stopped, swapped and started (the seed's Postgres alone, typically);
   * otherwise, or with `full`, every service is.
   */
  async restore(name: string, full = false): Promise<SnapshotManifest> {
    checkSnapshotName(name);
    return this.exclusive(`restoring ${name}`, async () => {
      const failed = (err: Error) =>
        new SnapshotError('corrupt', `snapshot "${name}" did not start (${err.message}); the previous state is back`);
      const changed = full ? undefined : await this.changedSince(name);
      let manifest: SnapshotManifest;
      if (changed?.length === 0) {
        this.o.progress({ service: 'core', step: `restore ${name}: the live data is the snapshot's already` });
        manifest = await this.o.store.verify(name, []);
      } else if (changed) {
        this.o.progress({ service: 'core', step: `restore ${name}: only ${changed.join(', ')} changed since` });
        manifest = await this.o.store.restore(
          name,
          this.restartOn(`restore ${name}`, `starting ${changed.join(', ')} on the restored data`, failed, changed),
          this.o.progress,
          changed.map((service) => `data/${service}`),
        );
      } else
        manifest = await this.o.store.restore(
          name,
          this.restartOn(`restore ${name}`, 'starting the services on the restored data', failed),
          this.o.progress,
        );
      this.baseline = { name, markers: await this.markers(), settings: await this.liveSettings() };
      return manifest;
    });
  }

  /** The services whose data moved since the live data was this snapshot's; undefined when that is not known. */
  private async changedSince(name: string): Promise<DataService[] | undefined> {
    const base = this.baseline;
    if (base?.name !== name || (await this.liveSettings()) !== base.settings) return undefined;
    const now = await this.markers().catch(() => undefined);
    if (!now) return undefined;
    return DATA_SERVICES.filter((service) => now[service] !== base.markers[service]);
  }

  private async markers(): Promise<Markers> {
    const { rows } = await this.o.db.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    return {
      postgres: rows[0]!.lsn,
      minio: await treeStamp(this.o.home.dataDir('minio')),
      temporal: await treeStamp(this.o.home.dataDir('temporal')),
    };
  }

  private liveSettings(): Promise<string | undefined> {
    return fs.readFile(path.join(this.o.home.root, 'settings.json'), 'utf8').catch(() => undefined);
  }

  /**
   * Back to migrations + seed: the data folder is swapped for an empty one, and the services start on it (a copy of
   * the cluster template, which holds the migrations, the seed and Kratos' migrations; then the seeded identities); if
   * they do not come up, the old data is put back. Settings and snapshots stay. With keepUsers, the users who signed up come back with their passwords.
   */
  async reset(keepUsers: boolean): Promise<ResetResult> {
    return this.exclusive('resetting', async () => {
      this.baseline = undefined;
      const kept = keepUsers ? await this.o.users.export() : [];
      await this.o.store.resetData(
        this.restartOn(
          'reset',
          'starting on empty data (migrations and seed)',
          (err) => new SnapshotError('io', `reset failed (${err.message}); the previous data is back`),
        ),
      );
      const { kept: keptUsers, skipped } = keepUsers ? await this.o.users.import(kept) : { kept: 0, skipped: [] };
      return { keptUsers, skippedUsers: skipped };
    });
  }

  /**
   * Stops the services (or only `services` and what depends on them: the others keep running), swaps the data,
   * starts them and brings the core's state along; when they do not start, the previous data is swapped back and
   * started, and `failed` says why.
   */
  private restartOn(
    what: string,
    starting: string,
    failed: (err: Error) => SnapshotError,
    services?: DataService[],
  ): WhileStopped {
    const { supervisor, progress } = this.o;
    // What runs on a swapped service restarts with it: Kratos' pooled connections to a restarted Postgres fail its
    // next request (PostgREST would reconnect, but is a dependent all the same).
    const restarted = services && [...services, ...supervisor.dependentsOf(services)];
    const stop = async () => {
      if (!restarted) return supervisor.stopAll();
      for (const service of [...restarted].reverse()) await supervisor.stop(service);
    };
    const start = async () => {
      if (!restarted) return supervisor.startAll();
      for (const service of services!) await supervisor.start(service);
      // The dependents side by side: each needs only what was just started.
      await Promise.all(restarted.slice(services!.length).map((service) => supervisor.start(service)));
    };
    return async (swap, undo) => {
      progress({ service: 'core', step: `${what}: stopping ${restarted?.join(', ') ?? 'the services'}` });
      await stop();
      await swap();
      try {
        progress({ service: 'core', step: `${what}: ${starting}` });
        await start();
      } catch (err) {
        progress({
          service: 'core',
          step: `${what} failed (${(err as Error).message}); putting the previous state back`,
        });
        await stop();
        await undo();
        await start();
        await this.o.afterRestore();
        throw failed(err as Error);
      }
      await recordVersions(this.o.home, await currentVersions());
      await this.o.afterRestore();
    };
  }

  async remove(name: string): Promise<void> {
    checkSnapshotName(name);
    await this.exclusive(`removing ${name}`, () => this.o.store.remove(name));
  }

  private async exclusive<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.busy)
      throw new SnapshotError(
        'conflict',
        `another snapshot operation is running (${this.busy}); try again when it ends`,
      );
    this.busy = what;
    try {
      return await run();
    } finally {
      this.busy = undefined;
    }
  }

  private async appliedMigrations(): Promise<string[]> {
    const { rows } = await this.o.db.query<{ name: string }>('select name from app_private.migrations order by name');
    return rows.map((r) => r.name);
  }

  private async versions(): Promise<Record<string, string>> {
    const now = await currentVersions();
    return { apprun: now.apprun, ...now.services };
  }
}
