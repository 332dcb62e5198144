import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IPC_CHANNELS } from '../server/api/contract';
import type { CoreState } from '../server/core-state';
import { registerIpcRelay } from './ipc-relay';
import { FakeIpcMain } from './test-support/fake-electron';

interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

// A stand-in gateway on a real socket: records what the relay sends, answers like the contract's routes do.
const seen: SeenRequest[] = [];
const gateway = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.url?.startsWith('/api/stack/postgres/logs')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ service: 'postgres', lines: ['ready to accept connections'] }));
    } else if (req.url === '/functions/hello/invoke') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-apprun-run-ms': '2' }).end(`echo: ${body}`);
    } else {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: 'not_found', message: `no route ${req.url}` }));
    }
  });
});
let gatewayUrl = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

function relay() {
  const ipcMain = new FakeIpcMain();
  let state: CoreState | undefined;
  registerIpcRelay(ipcMain, () => state);
  return {
    ipcMain,
    coreReady: () =>
      (state = {
        pid: 1,
        home: '/tmp/h',
        ports: {} as CoreState['ports'],
        gatewayUrl,
        adminToken: 'the-admin-token',
        startedAt: 0,
      }),
  };
}

describe('the IPC relay', () => {
  it("handles exactly the contract's channels and nothing else", async () => {
    const { ipcMain } = relay();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());
    await expect(ipcMain.invoke('apprun:admin-token')).rejects.toThrow(
      "No handler registered for 'apprun:admin-token'",
    );
  });

  it('refuses every call while the core is starting, before anything reaches the gateway', async () => {
    const { ipcMain } = relay();
    const before = seen.length;
    await expect(ipcMain.invoke(IPC_CHANNELS.stack)).rejects.toThrow('the apprun core is still starting');
    await expect(ipcMain.invoke(IPC_CHANNELS.control, 'postgres', 'restart')).rejects.toThrow(
      'the apprun core is still starting',
    );
    expect(seen.length).toBe(before);
  });

  it('answers on the same channels once the core is ready', async () => {
    const { ipcMain, coreReady } = relay();
    await expect(ipcMain.invoke(IPC_CHANNELS.logs, 'postgres', 5)).rejects.toThrow('the apprun core is still starting');
    coreReady();
    await expect(ipcMain.invoke(IPC_CHANNELS.logs, 'postgres', 5)).resolves.toMatchObject({ service: 'postgres' });
  });

  it("relays a call's arguments to its HTTP route with the admin token, and the answer back", async () => {
    const { ipcMain, coreReady } = relay();
    coreReady();
    await expect(ipcMain.invoke(IPC_CHANNELS.logs, 'postgres', 50)).resolves.toEqual({
      service: 'postgres',
      lines: ['ready to accept connections'],
    });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'GET', url: '/api/stack/postgres/logs?tail=50' });
    expect(request.headers['x-apprun-admin-token']).toBe('the-admin-token');
  });

  it("passes a tenant call's user token and body through beside the admin token", async () => {
    const { ipcMain, coreReady } = relay();
    coreReady();
    const result = await ipcMain.invoke(IPC_CHANNELS.invokeFunction, 'user-access-token', 'hello', 'world');
    expect(result).toMatchObject({ ok: true, status: 200, output: 'echo: world', timings: { runMs: 2 } });
    const request = seen.at(-1)!;
    expect(request).toMatchObject({ method: 'POST', url: '/functions/hello/invoke', body: 'world' });
    expect(request.headers.authorization).toBe('Bearer user-access-token');
    expect(request.headers['x-apprun-admin-token']).toBe('the-admin-token');
  });

  it("brings the gateway's refusal back as the call's error", async () => {
    const { ipcMain, coreReady } = relay();
    coreReady();
    await expect(ipcMain.invoke(IPC_CHANNELS.settings)).rejects.toThrow('no route /api/settings');
  });
});
