import type { AsyncLocalStorage } from 'node:async_hooks';
import { asyncLocalStorage as activityContext } from '@temporalio/activity';

/**
 * Temporal's AsyncLocalStorage stores, disabled whenever no Temporal call of the core's is in flight.
 *
 * Before Node 24 (Electron's), AsyncLocalStorage runs on async_hooks: once a store has run, an init hook and V8's
 * promise hooks stay on for every promise and handle of the process until every store that ran is disabled again.
 * Temporal's SDK runs stores around its calls (a connection's call context: deadline, abort signal; an activity's
 * context) and never disables them, so from the first call on every request the gateway served paid for the hooks:
 * ~80 µs of CPU of ~300 a request on the data lane (Node 20, 500 req/s). A store is only read inside its own run, so
 * disabling it between calls changes nothing for the SDK: the next run() enables it again.
 */
export class TemporalContextStores {
  private readonly stores = new Set<AsyncLocalStorage<unknown>>([activityContext as AsyncLocalStorage<unknown>]);
  private calls = 0;
  private activitiesInFlight: () => number = () => 0;

  /** A connection's call-context store, disabled between calls from now on. */
  add(store: AsyncLocalStorage<unknown>): void {
    this.stores.add(store);
  }

  remove(store: AsyncLocalStorage<unknown>): void {
    store.disable();
    this.stores.delete(store);
  }

  /**
   * The worker's count of activities being run: it counts one before its context's run() starts and uncounts it once
   * that run has ended, so while it is above 0 the activity store stays on.
   */
  countActivities(inFlight: () => number): void {
    this.activitiesInFlight = inFlight;
  }

  /** One call of the core's to Temporal (a client call, a connect); the stores are released once none is left. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    this.calls++;
    try {
      return await fn();
    } finally {
      this.calls--;
      this.release();
    }
  }

  /** Disables every store when no call and no activity is in flight now. */
  release(): void {
    if (this.calls > 0 || this.activitiesInFlight() > 0) return;
    for (const store of this.stores) store.disable();
  }
}

/** The process's one set: the hooks the stores turn on are the whole process's. */
export const temporalContext = new TemporalContextStores();
