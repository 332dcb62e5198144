import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AppHome } from './home.js';
import { discard, SnapshotSpare } from './snapshot-spare.js';
import type { ProgressFn } from './spec.js';

const exec = promisify(execFile);

/** What a snapshot holds: the whole data folder (every service's state) and the settings, never the secrets. */
export const SNAPSHOT_PARTS = ['data', 'settings.json'] as const;
const MANIFEST = 'manifest.json';
export const SNAPSHOT_FORMAT = 1;

export interface SnapshotManifest {
  format: number;
  name: string;
  createdAt: string;
  /** Which home took it: a hash of its Postgres password, so a snapshot of another home is recognised (its roles would not match). */
  homeId: string;
  /** The app migrations its database had applied, and the apprun and service versions that wrote it. */
  migrations: string[];
  versions: Record<string, string>;
  /** Why it was taken: by hand, or automatically before an upgrade. */
  reason: string;
  /** What it contains, for people: the services' data and the settings. */
  contents: string[];
  sizeBytes: number;
  /** sha256 of every file, by path inside the snapshot: a truncated or altered snapshot is refused. */
  files: Record<string, string>;
}

/** What the caller runs with every service stopped: the swap of the live state, and its undo if the start fails. */
export type WhileStopped = (swap: () => Promise<void>, undo: () => Promise<void>) => Promise<void>;

export class SnapshotError extends Error {
  constructor(
    readonly kind: 'not_found' | 'invalid' | 'conflict' | 'corrupt' | 'foreign' | 'io',
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The seed `apprun reset` goes back to: a snapshot of its own, hidden from the list (no snapshot name starts with a dot). */
export const SEED_SNAPSHOT = '.seed';

/** A snapshot name is a plain folder name: letters, digits, dot, dash, underscore, at most 64. */
export function checkSnapshotName(name: string): string {
  if (!NAME.test(name) || name.includes('..'))
    throw new SnapshotError(
      'invalid',
      `"${name}" is not a snapshot name (letters, digits, ".", "-" and "_", starting with a letter or digit, at most 64)`,
    );
  return name;
}

/** The default name: the time, sortable, e.g. 2026-12-02T05-01-02. */
export const timestampName = (at = new Date()) => at.toISOString().slice(0, 19).replace(/:/g, '-');

/** A file's sha256 and size, in one read. */
async function digest(file: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Every regular file under dir, relative to it (symlinks and sockets are not data). */
async function filesUnder(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, base)));
    else if (entry.isFile()) out.push(path.relative(base, full));
  }
  return out;
}

/** A file's identity and times (not its bytes): changes whenever it is written, replaced or touched. */
async function fileStamp(dir: string, file: string): Promise<string> {
  const st = await fs.stat(path.join(dir, file));
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** For people: "postgres data", …, "settings". */
async function describeContents(root: string, parts: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const part of parts) {
    if (part === 'data') {
      const entries = await fs.readdir(path.join(root, 'data'), { withFileTypes: true });
      out.push(
        ...entries
          .filter((e) => e.isDirectory())
          .map((e) => `${e.name} data`)
          .sort(),
      );
    } else out.push(part.replace(/\.json$/, ''));
  }
  return out;
}

/** Copies a tree keeping owners and modes (Postgres' folder must stay its user's, 0700), sharing blocks where it can. */
async function copyTree(from: string, to: string): Promise<void> {
  await exec('cp', ['-a', '--reflink=auto', from, to]);
}

const describeIo = (err: unknown) => {
  const e = err as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === 'ENOSPC' || /No space left/.test(e.stderr ?? '')) return 'the disk is full';
  if (e.code === 'EACCES' || e.code === 'EPERM' || /Permission denied/.test(e.stderr ?? '')) return 'permission denied';
  return (e.stderr || e.message).trim().split('\n').slice(-2).join(' / ');
};

/**
 * The snapshots of one home, in APPRUN_HOME/snapshots/<name>/ (0700). A snapshot is written into a hidden folder and
 * renamed into place once complete, so a failed save never leaves a listed, half-written snapshot; a restore copies
 * the snapshot beside the live data and swaps the two with renames, so the live state is either all old or all new.
 */
export class SnapshotStore {
  /** The files of each snapshot this process hashed (or saved) and found whole, with their stamps then. */
  private readonly verified = new Map<string, { manifest: string; files: Map<string, string> }>();

  /** Spare copies for the next restore: a running core's; a command that exits at once makes none. */
  private readonly spare?: SnapshotSpare;

  constructor(
    private readonly home: AppHome,
    private readonly homeId: string,
    spares = true,
  ) {
    if (spares) this.spare = new SnapshotSpare(home.root, copyTree);
  }

  get dir(): string {
    return path.join(this.home.root, 'snapshots');
  }

  private folder(name: string): string {
    return path.join(this.dir, name === SEED_SNAPSHOT ? name : checkSnapshotName(name));
  }

  async list(): Promise<SnapshotManifest[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const manifests = await Promise.all(
      names
        .filter((n) => NAME.test(n))
        .map((n) =>
          fs
            .readFile(path.join(this.dir, n, MANIFEST), 'utf8')
            .then((t) => JSON.parse(t) as SnapshotManifest)
            .catch(() => undefined),
        ),
    );
    return manifests.filter((m): m is SnapshotManifest => !!m).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async get(name: string): Promise<SnapshotManifest> {
    const text = await fs.readFile(path.join(this.folder(name), MANIFEST), 'utf8').catch(() => undefined);
    if (text === undefined)
      throw new SnapshotError('not_found', `no snapshot named "${name}" (see \`apprun snapshot list\`)`);
    try {
      return JSON.parse(text) as SnapshotManifest;
    } catch {
      throw new SnapshotError('corrupt', `snapshot "${name}" has an unreadable manifest`);
    }
  }

  /**
   * Copies the home's data and settings into a new snapshot. `quiesced` runs the copy while the caller holds every
   * service still (paused, or stopped), so the copy is one instant of the whole stack. `spare: false` for a snapshot
   * unlikely to be restored soon (the one before an upgrade).
   */
  async save(
    name: string,
    meta: { migrations: string[]; versions: Record<string, string>; reason: string },
    quiesced: (copy: () => Promise<void>) => Promise<void>,
    progress: ProgressFn = () => undefined,
    { spare = true }: { spare?: boolean } = {},
  ): Promise<SnapshotManifest> {
    const target = this.folder(name);
    if (await fs.stat(target).catch(() => undefined))
      throw new SnapshotError('conflict', `a snapshot named "${name}" exists already; pick another name or remove it`);
    const tmp = path.join(this.dir, `.saving-${name}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fs.mkdir(tmp, { mode: 0o700 });
      const contents: string[] = [];
      await quiesced(async () => {
        for (const part of SNAPSHOT_PARTS) {
          const from = path.join(this.home.root, part);
          if (!(await fs.stat(from).catch(() => undefined))) continue;
          progress({ service: 'core', step: `snapshot ${name}: copying ${part}` });
          await copyTree(from, path.join(tmp, part));
          contents.push(part);
        }
      });
      progress({ service: 'core', step: `snapshot ${name}: checksums` });
      const files: Record<string, string> = {};
      let sizeBytes = 0;
      for (const file of await filesUnder(tmp)) {
        const { sha256, size } = await digest(path.join(tmp, file));
        files[file] = sha256;
        sizeBytes += size;
      }
      const manifest: SnapshotManifest = {
        format: SNAPSHOT_FORMAT,
        name,
        createdAt: new Date().toISOString(),
        homeId: this.homeId,
        ...meta,
        contents: await describeContents(tmp, contents),
        sizeBytes,
        files,
      };
      await fs.writeFile(path.join(tmp, MANIFEST), JSON.stringify(manifest, null, 2), { mode: 0o600 });
      await fs.rename(tmp, target);
      // Just hashed: the first restore need not hash it again (the files keep their inodes through the rename).
      const stamps = new Map<string, string>();
      for (const file of Object.keys(files)) stamps.set(file, await fileStamp(target, file));
      this.verified.set(name, { manifest: await fileStamp(target, MANIFEST), files: stamps });
      if (spare) await this.spare?.prepare(name, target, SNAPSHOT_PARTS, sizeBytes);
      return manifest;
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
      if (err instanceof SnapshotError) throw err;
      throw new SnapshotError('io', `snapshot "${name}" was not saved: ${describeIo(err)}; nothing was changed`);
    }
  }

  /**
   * Refuses a snapshot of another home, of an unknown format, or whose files are missing, extra or altered; `only`
   * (parts such as data/postgres) checks just the files of those parts, for a restore of only them.
   */
  async verify(name: string, only?: readonly string[]): Promise<SnapshotManifest> {
    const manifest = await this.get(name);
    const dir = this.folder(name);
    if (manifest.format !== SNAPSHOT_FORMAT)
      throw new SnapshotError(
        'invalid',
        `snapshot "${name}" has format ${manifest.format}; this apprun reads ${SNAPSHOT_FORMAT}`,
      );
    if (manifest.homeId !== this.homeId)
      throw new SnapshotError(
        'foreign',
        `snapshot "${name}" was taken by another app home (its database passwords are not this home's); restore it there`,
      );
    const inScope = (file: string) => !only || only.some((part) => file === part || file.startsWith(`${part}/`));
    const present = new Set((await filesUnder(dir)).filter((f) => f !== MANIFEST && inScope(f)));
    // Hashing is most of a small restore (~0.5 s for the seed's Postgres): a file this process hashed (or wrote, at
    // the save) and found whole is not hashed again while its stamp holds (same inode, size, mtime and ctime: any
    // write, replace or `touch` moves ctime).
    const manifestStamp = await fileStamp(dir, MANIFEST);
    const known = this.verified.get(name);
    const whole = known?.manifest === manifestStamp ? known.files : new Map<string, string>();
    for (const [file, sum] of Object.entries(manifest.files)) {
      if (!inScope(file)) continue;
      if (!present.delete(file))
        throw new SnapshotError('corrupt', `snapshot "${name}" is incomplete: ${file} is missing`);
      const stamp = await fileStamp(dir, file);
      if (whole.get(file) === stamp) continue;
      whole.delete(file);
      if ((await digest(path.join(dir, file))).sha256 !== sum)
        throw new SnapshotError('corrupt', `snapshot "${name}" is corrupted: ${file} does not match its checksum`);
      whole.set(file, stamp);
    }
    if (present.size)
      throw new SnapshotError(
        'corrupt',
        `snapshot "${name}" holds files it did not record: ${[...present].slice(0, 3).join(', ')}`,
      );
    this.verified.set(name, { manifest: manifestStamp, files: whole });
    return manifest;
  }

  /**
   * Replaces the home's data and settings with a verified snapshot's. The copy is made beside the live state first;
   * `stopped` then runs the swap (renames) while the caller has every service stopped, and starts them; when that
   * start fails, the previous state is swapped back and started, and the error says why.
   */
  async restore(
    name: string,
    stopped: WhileStopped,
    progress: ProgressFn = () => undefined,
    /** Only these parts (data/postgres, …): the others are known to equal the snapshot's already. */
    parts: readonly string[] = SNAPSHOT_PARTS,
  ): Promise<SnapshotManifest> {
    const source = this.folder(name);
    const stamp = randomBytes(4).toString('hex');
    const previous = path.join(this.home.root, `.before-restore-${stamp}`);
    // The spare copy made after its last save or restore, if it is this snapshot's: ready to be renamed in.
    let incoming = await this.spare?.take(name);
    let manifest: SnapshotManifest;
    if (incoming) manifest = await this.get(name);
    else {
      progress({ service: 'core', step: `restore ${name}: checking the snapshot` });
      manifest = await this.verify(name, parts === SNAPSHOT_PARTS ? undefined : parts);
      incoming = path.join(this.home.root, `.restoring-${stamp}`);
      try {
        progress({ service: 'core', step: `restore ${name}: copying it beside the live state` });
        await fs.mkdir(incoming, { mode: 0o700 });
        for (const part of parts)
          if (await fs.stat(path.join(source, part)).catch(() => undefined)) {
            await fs.mkdir(path.dirname(path.join(incoming, part)), { recursive: true, mode: 0o755 });
            await copyTree(path.join(source, part), path.join(incoming, part));
          }
      } catch (err) {
        await fs.rm(incoming, { recursive: true, force: true });
        throw new SnapshotError('io', `snapshot "${name}" was not restored: ${describeIo(err)}; nothing was changed`);
      }
    }
    await this.swapIn(incoming, previous, parts, stopped);
    await this.spare?.prepare(name, source, SNAPSHOT_PARTS, manifest.sizeBytes);
    return manifest;
  }

  /**
   * Replaces the home's data (not its settings) with an empty folder, the way restore swaps a snapshot in: `stopped`
   * gets the swap and its undo, and runs them with every service stopped.
   */
  async resetData(stopped: WhileStopped): Promise<void> {
    const stamp = randomBytes(4).toString('hex');
    const incoming = path.join(this.home.root, `.resetting-${stamp}`);
    await fs.mkdir(path.join(incoming, 'data'), { recursive: true, mode: 0o755 });
    await fs.chmod(incoming, 0o700);
    await this.swapIn(incoming, path.join(this.home.root, `.before-reset-${stamp}`), ['data'], stopped);
  }

  /**
   * Swaps the given parts of the home for those in `incoming` with renames, the live ones kept in `previous` until the
   * caller's `stopped` returns; its undo puts them back. Both folders are gone afterwards, whatever happened.
   */
  private async swapIn(
    incoming: string,
    previous: string,
    parts: readonly string[],
    stopped: WhileStopped,
  ): Promise<void> {
    const moves = async (from: string, to: string) => {
      for (const part of parts) {
        const live = path.join(from, part);
        if (!(await fs.stat(live).catch(() => undefined))) continue;
        // A part inside a folder (data/postgres) needs that folder on the other side.
        await fs.mkdir(path.dirname(path.join(to, part)), { recursive: true, mode: 0o755 });
        await fs.rename(live, path.join(to, part));
      }
    };
    try {
      await fs.mkdir(previous, { mode: 0o700 });
      const swap = async () => {
        await moves(this.home.root, previous);
        await moves(incoming, this.home.root);
      };
      const undo = async () => {
        for (const part of parts) await fs.rm(path.join(this.home.root, part), { recursive: true, force: true });
        await moves(previous, this.home.root);
      };
      await stopped(swap, undo);
    } finally {
      // Out of the caller's way: renamed aside now, deleted in the background.
      await discard(incoming);
      await discard(previous);
    }
  }

  async remove(name: string): Promise<void> {
    await this.get(name);
    const spare = await this.spare?.take(name);
    if (spare) await discard(spare);
    this.verified.delete(name);
    // Renamed first, so a half-removed snapshot is never listed.
    const doomed = path.join(this.dir, `.removing-${name}-${randomBytes(4).toString('hex')}`);
    await fs.rename(this.folder(name), doomed);
    await fs.rm(doomed, { recursive: true, force: true });
  }
}

/** A home's identity for snapshots: derived from its Postgres password, without revealing it. */
export const homeIdOf = (postgresPassword: string) =>
  createHash('sha256').update(`apprun-home\0${postgresPassword}`).digest('hex').slice(0, 16);
