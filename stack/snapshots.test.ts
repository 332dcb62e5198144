import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppHome } from './home.js';
import { checkSnapshotName, SnapshotError, SnapshotStore } from './snapshots.js';

// The store on plain files (the real stack's save and restore are in server/test/snapshots.test.ts).

let root: string;
let home: AppHome;
let store: SnapshotStore;
const meta = { migrations: ['001.sql'], versions: { apprun: '0.1.0' }, reason: 'test' };
const write = (rel: string, text: string) =>
  fs
    .mkdir(path.dirname(path.join(root, rel)), { recursive: true })
    .then(() => fs.writeFile(path.join(root, rel), text));
const read = (rel: string) => fs.readFile(path.join(root, rel), 'utf8');
const kind = async (p: Promise<unknown>) =>
  (
    (await p.then(
      () => undefined,
      (e) => e,
    )) as SnapshotError
  ).kind;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-store-'));
  home = new AppHome(root);
  store = new SnapshotStore(home, 'home-a');
  await write('data/postgres/base/1', 'rows v1');
  await write('data/temporal/temporal.db', 'workflows v1');
  await write('settings.json', '{"portBase":23000}');
  await write('secrets/stack-secrets.json', '{"postgresPassword":"x"}');
});
// A spare copy may still be written in the background: the folder is removed once it is done.
afterEach(() => fs.rm(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 }));

describe('SnapshotStore', () => {
  it('saves data and settings but not the secrets, and restores them with renames', async () => {
    const saved = await store.save('one', meta, (copy) => copy());
    expect(saved.contents).toEqual(['postgres data', 'temporal data', 'settings']);
    expect(Object.keys(saved.files).sort()).toEqual([
      'data/postgres/base/1',
      'data/temporal/temporal.db',
      'settings.json',
    ]);
    expect((await fs.stat(path.join(store.dir, 'one'))).mode & 0o777).toBe(0o700);
    await write('data/postgres/base/1', 'rows v2');
    await write('data/minio/new-object', 'added later');
    await store.restore('one', async (swap) => swap());
    expect(await read('data/postgres/base/1')).toBe('rows v1');
    await expect(fs.stat(path.join(root, 'data', 'minio'))).rejects.toThrow();
    expect(await read('secrets/stack-secrets.json')).toBe('{"postgresPassword":"x"}');
    // No leftovers: what was swapped out goes in the background; a spare of `one` is ready for its next restore.
    const dotted = async () => (await fs.readdir(root)).filter((n) => n.startsWith('.'));
    for (let i = 0; i < 100 && (await dotted()).some((n) => n.startsWith('.discarded-')); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await dotted()).toEqual([expect.stringMatching(/^\.spare-/)]);
  });

  it('renames a spare copy in at the next restore of the same snapshot, and drops it with the snapshot', async () => {
    const steps: string[] = [];
    await store.save('one', meta, (copy) => copy());
    await write('data/postgres/base/1', 'rows v2');
    await store.restore(
      'one',
      async (swap) => swap(),
      (e) => steps.push(e.step),
    );
    expect(await read('data/postgres/base/1')).toBe('rows v1');
    // The spare made after the save was used: nothing was checked or copied while the caller waited.
    expect(steps).toEqual([]);
    await write('data/postgres/base/1', 'rows v3');
    await store.restore(
      'one',
      async (swap) => swap(),
      (e) => steps.push(e.step),
    );
    expect(await read('data/postgres/base/1')).toBe('rows v1');
    await store.remove('one');
    for (let i = 0; i < 100 && (await fs.readdir(root)).some((n) => n.startsWith('.')); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect((await fs.readdir(root)).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('puts the previous state back exactly when the restored one does not start', async () => {
    await store.save('one', meta, (copy) => copy());
    await write('data/postgres/base/1', 'rows v2');
    await expect(
      store.restore('one', async (swap, undo) => {
        await swap();
        expect(await read('data/postgres/base/1')).toBe('rows v1');
        await undo(); // what a failed start does
        throw new Error('postgres did not start');
      }),
    ).rejects.toThrow('postgres did not start');
    expect(await read('data/postgres/base/1')).toBe('rows v2');
    expect(await read('settings.json')).toBe('{"portBase":23000}');
  });

  it('refuses a corrupted, truncated, padded or foreign snapshot, and unknown or bad names', async () => {
    await store.save('one', meta, (copy) => copy());
    const file = path.join(store.dir, 'one', 'data', 'temporal', 'temporal.db');
    await fs.writeFile(file, 'tampered');
    expect(await kind(store.verify('one'))).toBe('corrupt');
    await fs.rm(file);
    await expect(store.verify('one')).rejects.toThrow('is incomplete: data/temporal/temporal.db is missing');
    await fs.writeFile(file, 'workflows v1');
    await fs.writeFile(path.join(store.dir, 'one', 'stray'), 'x');
    await expect(store.verify('one')).rejects.toThrow('holds files it did not record: stray');
    await fs.rm(path.join(store.dir, 'one', 'stray'));
    expect((await store.verify('one')).name).toBe('one');
    // Verified once, a snapshot is not hashed again, but any write to it (same length, even) is still caught: it moves
    // the file's ctime.
    expect((await store.verify('one', ['data/temporal'])).name).toBe('one');
    await fs.writeFile(file, 'workflows v2');
    expect(await kind(store.verify('one'))).toBe('corrupt');
    expect(await kind(store.verify('one', ['data/temporal']))).toBe('corrupt');
    await fs.writeFile(file, 'workflows v1');
    expect(await kind(new SnapshotStore(home, 'home-b').verify('one'))).toBe('foreign');
    expect(await kind(store.get('two'))).toBe('not_found');
    expect(await kind(store.save('one', meta, (copy) => copy()))).toBe('conflict');
    expect(() => checkSnapshotName('../x')).toThrow(SnapshotError);
    expect(() => checkSnapshotName('a'.repeat(65))).toThrow(SnapshotError);
  });

  it('leaves nothing listed when a save fails midway', async () => {
    await expect(
      store.save('broken', meta, async (copy) => {
        await copy();
        throw new Error('disk full');
      }),
    ).rejects.toThrow('snapshot "broken" was not saved: disk full; nothing was changed');
    expect(await store.list()).toEqual([]);
    expect(await fs.readdir(store.dir)).toEqual([]);
    await store.save('kept', meta, (copy) => copy());
    await store.remove('kept');
    expect(await store.list()).toEqual([]);
  });
});
