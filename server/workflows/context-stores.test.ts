import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { TemporalContextStores } from './context-stores.js';

/** What a timer set inside a store's run sees 20 ms later: the run's value while the store is on, else undefined. */
function readLater(store: AsyncLocalStorage<string>): { seen: Promise<string | undefined> } {
  return { seen: new Promise((resolve) => setTimeout(() => resolve(store.getStore()), 20)) };
}

describe('TemporalContextStores', () => {
  it('disables a store once the last call has ended, and its next run enables it again', async () => {
    const stores = new TemporalContextStores();
    const store = new AsyncLocalStorage<string>();
    stores.add(store as AsyncLocalStorage<unknown>);
    let first!: { seen: Promise<string | undefined> };
    await stores.call(() => store.run('first', async () => (first = readLater(store))));
    // Released: the context that outlived its call is gone, as no code of Temporal's reads it after its call.
    expect(await first.seen).toBeUndefined();
    let second!: { seen: Promise<string | undefined> };
    await store.run('second', async () => {
      second = readLater(store);
      expect(store.getStore()).toBe('second');
    });
    expect(await second.seen).toBe('second');
  });

  it('keeps the stores on while another call or an activity is in flight', async () => {
    const stores = new TemporalContextStores();
    const store = new AsyncLocalStorage<string>();
    stores.add(store as AsyncLocalStorage<unknown>);
    let finishOther!: () => void;
    const other = stores.call(() => new Promise<void>((resolve) => (finishOther = resolve)));
    let during!: { seen: Promise<string | undefined> };
    await stores.call(() => store.run('during', async () => (during = readLater(store))));
    expect(await during.seen).toBe('during');
    finishOther();
    await other;

    let activities = 1;
    stores.countActivities(() => activities);
    let withActivity!: { seen: Promise<string | undefined> };
    await stores.call(() => store.run('activity', async () => (withActivity = readLater(store))));
    expect(await withActivity.seen).toBe('activity');
    activities = 0;
    stores.release();
    let after!: { seen: Promise<string | undefined> };
    await store.run('after', async () => (after = readLater(store)));
    stores.release();
    expect(await after.seen).toBeUndefined();
  });
});
