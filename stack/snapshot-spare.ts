// A ready copy of the last snapshot saved or restored, beside the live state: the next restore of it (a test suite's
// reset, typically) renames the copy in instead of verifying and copying the snapshot's files while the caller waits.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Larger snapshots get no spare: the copy would double their disk use. */
export const SPARE_MAX_BYTES = 256 * 2 ** 20;

/** Leftovers of a restore or a reset the process did not live to clean up, and spares of an earlier process. */
const STALE = /^\.(spare|restoring|before-restore|resetting|before-reset|discarded)-/;

export class SnapshotSpare {
  private current?: { name: string; ready: Promise<string | undefined> };

  constructor(
    private readonly root: string,
    private readonly copyTree: (from: string, to: string) => Promise<void>,
  ) {}

  /**
   * Clears what a crash left beside the live state (called when no restore is under way), then starts copying
   * `parts` of the snapshot in `source` (whole, verified) in the background, for the next restore of `name`; the
   * spare before it is dropped.
   */
  async prepare(name: string, source: string, parts: readonly string[], sizeBytes: number): Promise<void> {
    this.drop();
    await this.sweep();
    if (sizeBytes > SPARE_MAX_BYTES) return;
    const dir = path.join(this.root, `.spare-${randomBytes(4).toString('hex')}`);
    const ready = (async () => {
      await fs.mkdir(dir, { mode: 0o700 });
      for (const part of parts)
        if (await fs.stat(path.join(source, part)).catch(() => undefined)) {
          await fs.mkdir(path.dirname(path.join(dir, part)), { recursive: true, mode: 0o755 });
          await this.copyTree(path.join(source, part), path.join(dir, part));
        }
      return dir;
    })().catch(async () => {
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return undefined;
    });
    this.current = { name, ready };
  }

  /** The spare's folder when it holds `name` (waiting for its copy to end); it is the caller's from then on. */
  async take(name: string): Promise<string | undefined> {
    const spare = this.current;
    if (spare?.name !== name) return undefined;
    this.current = undefined;
    return spare.ready;
  }

  drop(): void {
    const spare = this.current;
    this.current = undefined;
    void spare?.ready.then((dir) => (dir ? discard(dir) : undefined));
  }

  private async sweep(): Promise<void> {
    const names = await fs.readdir(this.root).catch(() => [] as string[]);
    for (const name of names)
      if (STALE.test(name))
        await fs.rm(path.join(this.root, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Removes a folder without making the caller wait: renamed aside at once, deleted in the background. */
export async function discard(dir: string): Promise<void> {
  const aside = path.join(path.dirname(dir), `.discarded-${randomBytes(4).toString('hex')}`);
  if (
    !(await fs.rename(dir, aside).then(
      () => true,
      () => false,
    ))
  )
    return;
  void fs.rm(aside, { recursive: true, force: true }).catch(() => undefined);
}
