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
  SEED_SNAPSHOT,
  SnapshotError,
  type SnapshotManifest,
  type SnapshotStore,
  timestampName,
  type WhileStopped,
} from '../../stack/snapshots.js';
import type { ProgressFn } from '../../stack/spec.js';
import type { Supervisor } from '../../stack/supervisor.js';
import { primaryOnly } from '../replica/primary-only.js';
import { type DataService, isDataService, RestoreBaseline } from './restore-baseline.js';

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
  return store.save(
    name,
    { migrations: [], versions: { apprun: (await currentVersions()).apprun }, reason },
    (copy) => copy(),
    undefined,
    { spare: false },
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
  /** A second gateway: snapshots are saved, restored and reset by the appliance, which holds the services. */
  replica?: boolean;
  /** Names what the project's seed holds (its migrations, seed and config): a change makes reset take a new seed. */
  projectKey: () => Promise<string>;
  /** For `reset --keep-users`: the signed-up users out before, and back in after. */
  users: {
    export: () => Promise<unknown[]>;
    import: (users: unknown[]) => Promise<{ kept: number; skipped: string[] }>;
  };
}

export interface ResetResult {
  keptUsers: number;
  skippedUsers: string[];
  /** Whether it was a restore of the seed snapshot (or a start from empty data, which took the seed). */
  fromSeed: boolean;
  ms: number;
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
  private readonly baseline: RestoreBaseline;

  constructor(private readonly o: SnapshotServiceOptions) {
    this.baseline = new RestoreBaseline(o.home, o.db);
  }

  list(): Promise<SnapshotManifest[]> {
    return this.o.store.list();
  }

  async save(name = timestampName(), reason = 'saved by hand'): Promise<SnapshotManifest> {
    checkSnapshotName(name);
    return this.exclusive(`saving ${name}`, () => this.saveNow(name, reason));
  }

  private async saveNow(name: string, reason: string): Promise<SnapshotManifest> {
    const meta = { migrations: await this.appliedMigrations(), versions: await this.versions(), reason };
    // The copy is what a power cut would leave: after a checkpoint, a restored Postgres has little WAL to replay.
    await this.o.db.query('checkpoint').catch(() => undefined);
    // Read before the freeze: a write between this and the freeze moves a marker, so the next restore of this
    // snapshot restores that service (never the other way round).
    const baseline = await this.baseline.take(name);
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
      .then(async (manifest) => {
        await this.baseline.set(baseline);
        return manifest;
      });
  }

  /**
   * Puts a snapshot's data back. When the live data is that snapshot's plus changes (it was saved or restored last),
   * only the services whose data changed are stopped, swapped and started (the seed's Postgres alone, typically);
   * otherwise, or with `full`, every service is.
   */
  async restore(name: string, full = false): Promise<SnapshotManifest> {
    checkSnapshotName(name);
    return this.exclusive(`restoring ${name}`, () => this.restoreNow(name, full));
  }

  private async restoreNow(name: string, full: boolean): Promise<SnapshotManifest> {
    const failed = (err: Error) =>
      new SnapshotError('corrupt', `snapshot "${name}" did not start (${err.message}); the previous state is back`);
    const changed = full ? undefined : await this.baseline.changedSince(name);
    let manifest: SnapshotManifest;
    if (changed?.length === 0) {
      this.o.progress({ service: 'core', step: `restore ${name}: the live data is the snapshot's already` });
      manifest = await this.o.store.verify(name, []);
    } else if (changed) {
      this.o.progress({ service: 'core', step: `restore ${name}: only ${changed.join(', ')} changed since` });
      const services = changed.filter(isDataService);
      manifest = await this.o.store.restore(
        name,
        this.restartOn(
          `restore ${name}`,
          `starting ${services.join(', ') || 'nothing'} on the restored data`,
          failed,
          services,
        ),
        this.o.progress,
        changed.map((folder) => `data/${folder}`),
      );
    } else
      manifest = await this.o.store.restore(
        name,
        this.restartOn(`restore ${name}`, 'starting the services on the restored data', failed),
        this.o.progress,
      );
    await this.baseline.set(await this.baseline.take(name));
    return manifest;
  }

  /**
   * Back to migrations + seed. The first time (and after the migrations, the seed, the config's users, the settings or
   * a version change) the data folder is swapped for an empty one and the services start on it (a copy of the cluster
   * template, which holds the migrations, the seed and Kratos' migrations; then the seeded identities), and that state
   * is kept as the seed snapshot; every reset after it is a restore of the seed, which restarts only what changed
   * (Postgres alone, for rows). If the services do not come up, the old data is put back. Settings and snapshots stay.
   * With keepUsers, the users who signed up come back with their passwords.
   */
  async reset(keepUsers: boolean): Promise<ResetResult> {
    return this.exclusive('resetting', async () => {
      const t0 = performance.now();
      const kept = keepUsers ? await this.o.users.export() : [];
      const reason = `the seed apprun reset goes back to (${await this.seedKey()})`;
      const seed = await this.o.store.get(SEED_SNAPSHOT).catch(() => undefined);
      let fromSeed = seed?.reason === reason;
      if (fromSeed)
        await this.restoreNow(SEED_SNAPSHOT, false).catch((err: Error) => {
          // A seed that will not restore (damaged, say) is taken again from empty data below.
          this.o.progress({ service: 'core', step: `reset: the seed snapshot was refused (${err.message})` });
          fromSeed = false;
        });
      if (!fromSeed) {
        await this.baseline.clear();
        await this.o.store.resetData(
          this.restartOn(
            'reset',
            'starting on empty data (migrations and seed)',
            (err) => new SnapshotError('io', `reset failed (${err.message}); the previous data is back`),
          ),
        );
        if (seed) await this.o.store.remove(SEED_SNAPSHOT);
        this.o.progress({ service: 'core', step: 'reset: keeping this state as the seed, for the next reset' });
        await this.saveNow(SEED_SNAPSHOT, reason);
      }
      const { kept: keptUsers, skipped } = keepUsers ? await this.o.users.import(kept) : { kept: 0, skipped: [] };
      return { keptUsers, skippedUsers: skipped, fromSeed, ms: Math.round(performance.now() - t0) };
    });
  }

  /** What the seed is made of: the project's migrations, seed and config, the settings, and every version. */
  private async seedKey(): Promise<string> {
    const settings = await fs.readFile(path.join(this.o.home.root, 'settings.json'), 'utf8').catch(() => '');
    return createHash('sha256')
      .update(await this.o.projectKey())
      .update(JSON.stringify(await currentVersions()))
      .update(settings)
      .digest('hex')
      .slice(0, 16);
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
    // What runs on a swapped service restarts with it (PostgREST on Postgres), unless it reconnects by itself: Kratos
    // is only re-checked, which replaces its pool's dead connections (else its next request would fail).
    const dependents = services ? supervisor.dependentsOf(services) : [];
    const rechecked = dependents.filter((service) => supervisor.reconnects(service));
    const restarted = services && [...services, ...dependents.filter((service) => !rechecked.includes(service))];
    // The swapped services' data is thrown away (or kept aside for an undo that crash recovery handles): no clean
    // shutdown is owed, which is most of a stop (Temporal's ~1 s).
    const swapped = new Set<string>(services);
    const stop = async () => {
      if (!restarted) return supervisor.stopAll(true);
      for (const service of [...restarted].reverse()) await supervisor.stop(service, swapped.has(service));
    };
    const start = async () => {
      if (!restarted) return supervisor.startAll();
      // The swapped services depend on none of each other (Postgres, MinIO, Temporal): side by side.
      await Promise.all(services!.map((service) => supervisor.start(service)));
      // The dependents side by side: each needs only what was just started.
      await Promise.all([
        ...restarted.slice(services!.length).map((service) => supervisor.start(service)),
        ...rechecked.map((service) => supervisor.recheck(service)),
      ]);
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
    if (this.o.replica) throw primaryOnly(what);
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
