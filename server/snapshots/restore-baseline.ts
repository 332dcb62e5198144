// What the live data is a copy of, so a restore of that snapshot swaps only the services whose data moved since.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { type AppHome, readJsonIfExists, writePrivateFile } from '../../stack/home.js';

/** The services whose data lives in a folder of their own under data/: a restore may swap just the ones that changed. */
export const DATA_SERVICES = ['postgres', 'minio', 'temporal'] as const;
export type DataService = (typeof DATA_SERVICES)[number];
/** Those folders, and the core's own caught mail (no service to restart: the catcher reloads it). */
export const DATA_FOLDERS = [...DATA_SERVICES, 'mail'] as const;
export type DataFolder = (typeof DATA_FOLDERS)[number];
export const isDataService = (folder: DataFolder): folder is DataService => folder !== 'mail';
type Markers = Record<DataFolder, string>;

const baselineFile = (home: AppHome) => path.join(home.root, 'snapshot-baseline.json');

/** Forgets what the live data is a copy of: its files were changed without the core (an offline restore or reset). */
export const forgetBaseline = (home: AppHome) => fs.rm(baselineFile(home), { force: true });

interface Baseline {
  name: string;
  markers: Markers;
  settings: string | undefined;
}

/**
 * Every file's path, size and mtime under a folder, hashed: changes whenever a service writes there. `skip`: folders
 * (relative) a service writes to on its own, whatever its data.
 */
async function treeStamp(dir: string, skip: readonly string[] = []): Promise<string> {
  const hash = createHash('sha1');
  const skipped = new Set(skip.map((folder) => path.join(dir, folder)));
  const walk = async (at: string): Promise<void> => {
    const entries = await fs.readdir(at, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(at, entry.name);
      if (skipped.has(full)) continue;
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

/**
 * The snapshot saved or restored last, and each service's marker then: Postgres' WAL position, the other folders'
 * file stamps. Kept in the home too, so it outlives the core: a restart moves Postgres' WAL (it is restored then) and
 * leaves a folder nobody wrote to as it was.
 */
export class RestoreBaseline {
  private current?: Baseline | null;

  constructor(
    private readonly home: AppHome,
    private readonly db: pg.Pool,
  ) {}

  private get file(): string {
    return baselineFile(this.home);
  }

  /** The markers now, read before a save freezes the services: a write after it moves one (restored next time). */
  async take(name: string): Promise<Baseline> {
    return { name, markers: await this.markers(), settings: await this.liveSettings() };
  }

  async set(baseline: Baseline): Promise<void> {
    this.current = baseline;
    await writePrivateFile(this.file, JSON.stringify(baseline)).catch(() => undefined);
  }

  async clear(): Promise<void> {
    this.current = null;
    await fs.rm(this.file, { force: true });
  }

  /** The services whose data moved since the live data was snapshot `name`'s; undefined when that is not known. */
  async changedSince(name: string): Promise<DataFolder[] | undefined> {
    if (this.current === undefined)
      this.current = (await readJsonIfExists<Baseline>(this.file).catch(() => null)) ?? null;
    const base = this.current;
    if (base?.name !== name || (await this.liveSettings()) !== base.settings) return undefined;
    const now = await this.markers().catch(() => undefined);
    if (!now) return undefined;
    return DATA_FOLDERS.filter((folder) => now[folder] !== base.markers[folder]);
  }

  private async markers(): Promise<Markers> {
    const { rows } = await this.db.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    return {
      postgres: rows[0]!.lsn,
      // MinIO writes and removes a file there every few seconds (its drive check), with or without requests.
      minio: await treeStamp(this.home.dataDir('minio'), ['.minio.sys/tmp']),
      temporal: await treeStamp(this.home.dataDir('temporal')),
      mail: await treeStamp(path.join(this.home.root, 'data', 'mail')),
    };
  }

  private liveSettings(): Promise<string | undefined> {
    return fs.readFile(path.join(this.home.root, 'settings.json'), 'utf8').catch(() => undefined);
  }
}
