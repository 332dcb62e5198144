import net from 'node:net';
import { Agent, request } from 'undici';
import type { HealthCheck } from './spec.js';

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * One kept connection per service between checks: the monitor checks every 5 s, past undici's default 4 s keep-alive,
 * so each check used to open (and each service to accept) a new TCP connection. A check that fails closes its
 * connection as usual; the next one connects again.
 */
const healthAgent = new Agent({ connections: 1, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 30_000 });

/** Resolves when the check passes once; rejects with the reason otherwise. */
export async function checkHealth(check: HealthCheck): Promise<void> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  switch (check.kind) {
    case 'http': {
      const res = await request(check.url, {
        dispatcher: healthAgent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`GET ${check.url} answered ${res.statusCode}`);
      return;
    }
    case 'tcp':
      return new Promise((resolve, reject) => {
        const socket = net.connect({ host: check.host, port: check.port });
        socket.setTimeout(timeoutMs, () =>
          socket.destroy(new Error(`no TCP answer from ${check.host}:${check.port} in ${timeoutMs} ms`)),
        );
        socket.once('connect', () => {
          socket.end();
          resolve();
        });
        socket.once('error', reject);
      });
    case 'custom': {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${check.describe}: no answer in ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([check.run(), timeout]);
      } finally {
        clearTimeout(timer);
      }
      return;
    }
  }
}

/**
 * Polls the check until it passes, the deadline passes, or abort() says the process is gone (no point waiting for a
 * health check of a process that has exited). The error names the last failure.
 */
export async function waitHealthy(
  check: HealthCheck,
  timeoutMs: number,
  abort: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 25;
  let lastError = 'not checked yet';
  for (;;) {
    const gone = abort();
    if (gone) throw new Error(gone);
    try {
      await checkHealth(check);
      return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() + delay > deadline) throw new Error(`not healthy after ${timeoutMs} ms: ${lastError}`);
    await new Promise((r) => setTimeout(r, delay));
    // At most 50 ms between checks: a wake or a restore waits on this loop, and a check is one cheap local call.
    delay = Math.min(delay * 2, 50);
  }
}
