// What one gateway changes in the state every gateway holds in memory (the RBAC policies, retired tokens, function
// records) is told to the others on the same database, by Postgres' LISTEN/NOTIFY (pg-listen keeps the connection).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Options, Subscriber } from 'pg-listen';
import * as pgListen from 'pg-listen';

// A CommonJS module: its function is the namespace's default under Node, or that default's own default.
type Create = (config: pg.ClientConfig, options: Options) => Subscriber;
const loaded = pgListen.default as unknown as Create | { default: Create };
const createSubscriber: Create = typeof loaded === 'function' ? loaded : loaded.default;

const CHANNEL = 'apprun_changes';

export type ChangeTopic = 'policies' | 'revocations' | 'functions';

interface Change {
  from: string;
  topic: ChangeTopic;
  data?: unknown;
}

interface Listener {
  /** A change another gateway made. */
  changed(data: unknown): void;
  /** The feed was cut (Postgres restarted): changes may have been missed, so read the state again. */
  resync?(): void;
}

/**
 * One connection per gateway, LISTENing on one channel. A gateway ignores its own changes; after a reconnect every
 * listener resyncs, since what was sent meanwhile is lost (NOTIFY is not stored).
 */
export class ChangeFeed {
  readonly instance = randomUUID();
  private readonly listeners = new Map<ChangeTopic, Set<Listener>>();
  private subscriber?: Subscriber;
  private connectedOnce = false;

  constructor(
    private readonly connectionString: string,
    private readonly warn: (message: string) => void,
  ) {}

  async start(): Promise<void> {
    // Postgres restarts under it (a restore, a reset): it retries for as long as it takes.
    const subscriber = createSubscriber(
      { connectionString: this.connectionString },
      { retryInterval: 250, retryTimeout: Number.POSITIVE_INFINITY, paranoidChecking: 10_000 },
    );
    subscriber.events.on('error', (err: Error) => this.warn(`change feed: ${err.message}`));
    subscriber.events.on('connected', () => {
      if (this.connectedOnce) for (const set of this.listeners.values()) for (const l of set) l.resync?.();
      this.connectedOnce = true;
    });
    subscriber.notifications.on(CHANNEL, (change: Change) => {
      if (!change || change.from === this.instance) return;
      for (const listener of this.listeners.get(change.topic) ?? []) listener.changed(change.data);
    });
    await subscriber.connect();
    await subscriber.listenTo(CHANNEL);
    this.subscriber = subscriber;
  }

  on(topic: ChangeTopic, listener: Listener): void {
    const set = this.listeners.get(topic) ?? new Set();
    set.add(listener);
    this.listeners.set(topic, set);
  }

  /** Tells the other gateways; a gateway alone (or a feed that is down) loses nothing by it. */
  async publish(topic: ChangeTopic, data?: unknown): Promise<void> {
    const change: Change = { from: this.instance, topic, ...(data === undefined ? {} : { data }) };
    await this.subscriber?.notify(CHANNEL, change).catch((err: Error) => this.warn(`change feed: ${err.message}`));
  }

  async stop(): Promise<void> {
    await this.subscriber?.close().catch(() => undefined);
    this.subscriber = undefined;
  }
}
