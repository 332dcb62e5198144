import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POOL, FunctionPool } from './function-pool.js';
import { hostAllowed } from './host-http.js';
import { ModuleRejected, prepareModule } from './prepare-module.js';
import { FunctionFailure } from './sandbox.js';
import { built, CONTEXT, prepared, TEST_LIMITS } from './test-support/modules.js';

const ask = (url: string) => new TextEncoder().encode(JSON.stringify({ url }));
const module = prepared(built('http-status'), true);

// A local upstream: /hello answers at once, /slow never before the function's deadline.
let server: http.Server;
let origin: string;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/slow') {
      const timer = setTimeout(() => res.end('late'), 5000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    res.setHeader('content-type', 'text/plain');
    res.end(req.url === '/hello' ? 'hi "there"\n' : 'other');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const pools: FunctionPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.stop()));
});

/** A pool and a way to invoke http-status in it with a given allowlist. */
function sandboxWith(allowedHosts: string[], timeoutMs = 500) {
  const pool = new FunctionPool({ ...DEFAULT_POOL, workers: 1 });
  pools.push(pool);
  return {
    invoke: (input: Uint8Array) =>
      pool.invoke({
        tenant: 't1',
        key: 't1/http-status/v1',
        module: () => module,
        limits: { ...TEST_LIMITS, timeoutMs },
        tenantConcurrency: 4,
        allowedHosts,
        input,
        context: CONTEXT,
      }),
    stop: () => pool.stop(),
  };
}

async function failure(promise: Promise<unknown>): Promise<FunctionFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof FunctionFailure) return err;
  throw new Error(`expected a FunctionFailure, got ${String(err)}`);
}

describe('functions with network access (allowed_hosts)', () => {
  it('reach a listed host, with timings, from a pool thread', async () => {
    const sandbox = sandboxWith([`127.0.0.1:${port}`]);
    try {
      const first = await sandbox.invoke(ask(`${origin}/hello`));
      expect(JSON.parse(new TextDecoder().decode(first.output))).toEqual({
        url: `${origin}/hello`,
        status: 200,
        body: 'hi "there"\n',
      });
      expect(first.timings.compileMs).toBeGreaterThan(0);
      expect(first.timings.instantiateMs).toBeGreaterThan(0);
      const second = await sandbox.invoke(ask(`${origin}/other`));
      expect(second.timings).toMatchObject({ compileMs: 0, instantiateMs: 0 });
    } finally {
      await sandbox.stop();
    }
  });

  it('end the invocation with network_denied for a host that is not listed, or another port of it', async () => {
    const sandbox = sandboxWith([`127.0.0.1:${port + 1}`, 'example.org']);
    try {
      const denied = await failure(sandbox.invoke(ask(`${origin}/hello`)));
      expect(denied.failure).toBe('network_denied');
      expect(denied.message).toContain(`127.0.0.1:${port} is not in the function's allowed_hosts`);
      expect((await failure(sandbox.invoke(ask('file:///etc/passwd')))).failure).toBe('network_denied');
    } finally {
      await sandbox.stop();
    }
  });

  it('get a refused connection back as an error the function reports', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sandbox = sandboxWith(['127.0.0.1']);
    try {
      const err = await failure(sandbox.invoke(ask(`http://127.0.0.1:${closedPort}/`)));
      expect([err.failure, err.message]).toEqual([
        'function_error',
        `request to 127.0.0.1:${closedPort} failed: ECONNREFUSED`,
      ]);
    } finally {
      await sandbox.stop();
    }
  });

  it('are stopped at their deadline while a request hangs, and the next call works', async () => {
    const sandbox = sandboxWith([`127.0.0.1:${port}`], 300);
    try {
      const t0 = performance.now();
      const err = await failure(sandbox.invoke(ask(`${origin}/slow`)));
      expect(err.failure).toBe('timeout');
      // a hang detector with a wide margin: the deadline is 300 ms
      expect(performance.now() - t0).toBeLessThan(3000);
      const next = await sandbox.invoke(ask(`${origin}/hello`));
      expect(JSON.parse(new TextDecoder().decode(next.output)).status).toBe(200);
    } finally {
      await sandbox.stop();
    }
  });

  it('a module that imports the network is refused unless its manifest allows hosts', () => {
    expect(() => prepareModule(built('http-status'), 256)).toThrow(ModuleRejected);
    expect(() => prepareModule(built('http-status'), 256)).toThrow(
      /env.apprun_http \(network\) but its manifest lists no allowed_hosts/,
    );
  });

  it('matches hosts exactly: "host" on any port, "host:port" on that port only', () => {
    const allowed = ['api.example.com', 'localhost:8080', '[::1]:9000'];
    expect(hostAllowed(new URL('https://api.example.com/x'), allowed)).toBe(true);
    expect(hostAllowed(new URL('http://api.example.com:81/x'), allowed)).toBe(true);
    expect(hostAllowed(new URL('http://evil.api.example.com/'), allowed)).toBe(false);
    expect(hostAllowed(new URL('http://api.example.com.evil.net/'), allowed)).toBe(false);
    expect(hostAllowed(new URL('http://localhost:8080/'), allowed)).toBe(true);
    expect(hostAllowed(new URL('http://localhost:8081/'), allowed)).toBe(false);
    expect(hostAllowed(new URL('http://localhost/'), allowed)).toBe(false);
    expect(hostAllowed(new URL('http://[::1]:9000/'), allowed)).toBe(true);
  });
});
