import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';

export type FolderChange = 'migrations' | 'functions' | 'policies' | 'config';

/** How long a burst of writes (an editor's save: write, rename, chmod) is let settle before acting on it. */
const SETTLE_MS = 100;

/** What a changed file of apprun/ means, or nothing (an editor's swap file, a backup, anything else). */
export function changeOf(relative: string): FolderChange | undefined {
  const [top, file, ...rest] = relative.split(path.sep);
  if (top === 'migrations' && file?.endsWith('.sql') && !rest.length) return 'migrations';
  if (top === 'functions' && file?.endsWith('.ts') && !rest.length) return 'functions';
  if (top === 'policies.csv' && file === undefined) return 'policies';
  if (top === 'config.toml' && file === undefined) return 'config';
  return undefined;
}

/** The folders of apprun/ whose files mean something. */
const SUBFOLDERS = ['migrations', 'functions'];

/**
 * Watches a project's apprun/ folder and calls onChange once per kind of change, after a burst of writes has settled;
 * a change arriving while its handler runs runs it again after. Each folder is watched itself (inotify on a directory
 * sees a file saved by rename as well as one written in place; Node's recursive watch lost a file replaced twice).
 */
export class FolderWatcher {
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timers = new Map<FolderChange, NodeJS.Timeout>();
  private readonly running = new Map<FolderChange, Promise<void>>();
  private readonly again = new Set<FolderChange>();

  constructor(
    private readonly dir: string,
    private readonly onChange: (change: FolderChange) => Promise<void>,
  ) {}

  start(): void {
    this.watchFolder('');
    for (const sub of SUBFOLDERS) this.watchFolder(sub);
  }

  /** Watches one folder (relative to apprun/), once; a folder that is not there yet is watched when it appears. */
  private watchFolder(relative: string): void {
    if (this.watchers.has(relative)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(path.join(this.dir, relative), (_event, file) => {
        if (!file) return;
        const name = path.join(relative, file.toString());
        if (relative === '' && SUBFOLDERS.includes(name)) this.watchFolder(name);
        const change = changeOf(name);
        if (!change) return;
        clearTimeout(this.timers.get(change));
        this.timers.set(
          change,
          setTimeout(() => this.fire(change), SETTLE_MS),
        );
      });
    } catch {
      return; // not there (yet)
    }
    watcher.on('error', () => {
      watcher.close();
      this.watchers.delete(relative); // it went away; its parent's watcher sees it come back
    });
    this.watchers.set(relative, watcher);
  }

  private fire(change: FolderChange): void {
    if (this.running.has(change)) {
      this.again.add(change);
      return;
    }
    const run = this.onChange(change)
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(change);
        if (this.again.delete(change)) this.fire(change);
      });
    this.running.set(change, run);
  }

  /** Stops watching and waits for a handler that is running. */
  async stop(): Promise<void> {
    for (const watcher of this.watchers.values()) watcher.close();
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.all(this.running.values());
  }
}
