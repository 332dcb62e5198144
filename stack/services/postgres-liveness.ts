import pg from 'pg';

/** Name of the kept connection in pg_stat_activity. */
export const LIVENESS_APPLICATION_NAME = 'apprun liveness';
/** A kept connection is renewed this often, so a postmaster that stops accepting connections still fails a check. */
const RENEW_AFTER_MS = 60_000;

/**
 * Postgres' liveness check, every few seconds while it is healthy: `select 1` over one connection kept between checks.
 * A new connection per check cost ~6 ms of CPU (the backend's fork and both sides of the SCRAM exchange), 0.11 % of a
 * core at one check per 5 s, against ~0.1 ms for the query. A failed check, or a connection the server ended (a
 * restart), drops the connection; the next check connects again.
 */
export function keptConnectionCheck(url: string, timeoutMs: number): () => Promise<void> {
  let kept: { client: pg.Client; connected: Promise<unknown>; at: number } | undefined;
  const drop = (client: pg.Client) => {
    if (kept?.client === client) kept = undefined;
    void client.end().catch(() => undefined);
  };
  const connect = () => {
    const client = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      application_name: LIVENESS_APPLICATION_NAME,
    });
    // Without a listener, the server ending the connection would be an uncaught 'error' in the core.
    client.on('error', () => drop(client));
    return { client, connected: client.connect(), at: Date.now() };
  };
  return async () => {
    if (kept && Date.now() - kept.at > RENEW_AFTER_MS) drop(kept.client);
    kept ??= connect();
    const { client, connected } = kept;
    try {
      await connected;
      await client.query('select 1');
    } catch (err) {
      drop(client);
      throw err;
    }
  };
}
