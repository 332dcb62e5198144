import { describe, expect, it } from 'vitest';
import { call, deployFunction, expectCleanError, gateway, stack, T1, tokenFor, wasmModule } from './http.js';

const wasm = wasmModule;
const deploy = (token: string, name: string, module: Buffer, manifest?: object) =>
  deployFunction(gateway(''), token, name, module, manifest);

const invoke = (token: string, name: string, body = '') =>
  call('POST', gateway(`/functions/${name}/invoke`), { token, body, headers: { 'content-type': 'text/plain' } });

describe('WASM functions through the gateway', () => {
  it('an admin deploys, a user invokes with timings, and the caller context reaches the function', async () => {
    const [alice, bob] = [await tokenFor('alice@test.com'), await tokenFor('bob@test.com')];
    expect((await deploy(alice, 'hello', wasm('hello'))).status).toBe(201);
    expect((await deploy(alice, 'whoami', wasm('whoami'))).status).toBe(201);
    const res = await invoke(bob, 'hello', 'bob');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello, bob!');
    expect(res.headers['server-timing']).toMatch(/compile;dur=[\d.]+, instantiate;dur=[\d.]+, run;dur=[\d.]+/);
    const who = await invoke(bob, 'whoami');
    expect(who.json).toMatchObject({ tenant_id: T1, role: 'user' });
    const listed = await call('GET', gateway('/functions'), { token: bob });
    expect(listed.json.functions.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining(['hello', 'whoami']),
    );
  });

  it('users may not deploy or delete (RBAC), admins may', async () => {
    const [alice, bob] = [await tokenFor('alice@test.com'), await tokenFor('bob@test.com')];
    const denied = await deploy(bob, 'sneaky', wasm('hello'));
    expect(denied.status).toBe(403);
    expect(denied.json.missing_rule).toMatch(/\/functions, POST$/);
    expectCleanError(await call('DELETE', gateway('/functions/hello'), { token: bob }), 403);
    expect((await deploy(alice, 'temp', wasm('hello'))).status).toBe(201);
    expect((await call('DELETE', gateway('/functions/temp'), { token: alice })).status).toBe(204);
    expectCleanError(await invoke(alice, 'temp'), 404);
  });

  it('tenant 2 can neither list nor invoke nor delete tenant 1’s functions', async () => {
    const [alice, charlie] = [await tokenFor('alice@test.com'), await tokenFor('charlie@test.com')];
    expect((await deploy(alice, 'hello', wasm('hello'))).status).toBe(201);
    expect(
      (await call('GET', gateway('/functions'), { token: charlie })).json.functions.map(
        (f: { name: string }) => f.name,
      ),
    ).not.toContain('hello');
    expectCleanError(await invoke(charlie, 'hello'), 404);
    expectCleanError(await call('GET', gateway('/functions/hello'), { token: charlie }), 404);
    expectCleanError(await call('DELETE', gateway('/functions/hello'), { token: charlie }), 404);
    expect((await invoke(alice, 'hello', 'still mine')).text).toBe('Hello, still mine!');
  });

  it('an infinite loop and a memory bomb are contained, reported, and the gateway keeps serving', async () => {
    const alice = await tokenFor('alice@test.com');
    expect((await deploy(alice, 'spin', wasm('spin'), { timeout_ms: 200 })).status).toBe(201);
    expect((await deploy(alice, 'bomb', wasm('bomb'), { memory_mb: 8 })).status).toBe(201);
    const spin = await invoke(alice, 'spin');
    expectCleanError(spin, 504);
    expect(spin.json.error).toBe('timeout');
    const bomb = await invoke(alice, 'bomb');
    expectCleanError(bomb, 422);
    expect(bomb.json).toMatchObject({ error: 'out_of_memory', message: expect.stringMatching(/8 MiB/) });
    expect((await call('GET', gateway('/healthz'))).status).toBe(200);
    expect((await invoke(alice, 'hello', 'ok')).text).toBe('Hello, ok!');
    const record = await call('GET', gateway('/functions/bomb'), { token: alice });
    expect(record.json.last_error).toMatchObject({ kind: 'out_of_memory' });
  });

  it('network only to the hosts the manifest allows, from a function that calls the gateway itself', async () => {
    const alice = await tokenFor('alice@test.com');
    const gatewayHost = new URL(stack().gatewayUrl).host;
    const deployed = await deploy(alice, 'http-status', wasm('http-status'), {
      allowed_hosts: [gatewayHost],
      timeout_ms: 2000,
    });
    expect([deployed.status, deployed.json]).toEqual([201, expect.anything()]);
    const ok = await invoke(alice, 'http-status', JSON.stringify({ url: gateway('/healthz') }));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ url: gateway('/healthz'), status: 200 });
    expect(JSON.parse(ok.json.body)).toMatchObject({ status: 'ok' });
    const refused = await invoke(alice, 'http-status', JSON.stringify({ url: stack().postgrestUrl }));
    expectCleanError(refused, 403);
    expect(refused.json).toMatchObject({
      error: 'network_denied',
      message: expect.stringContaining("is not in the function's allowed_hosts"),
    });
    const record = await call('GET', gateway('/functions/http-status'), { token: alice });
    expect(record.json).toMatchObject({
      manifest: { allowed_hosts: [gatewayHost] },
      last_error: { kind: 'network_denied' },
    });
  });

  it('bad deployments are clear 4xx', async () => {
    const alice = await tokenFor('alice@test.com');
    const cases: [string, Buffer, object | undefined, number, string][] = [
      ['notwasm', Buffer.from('not a module'), undefined, 400, 'invalid_module'],
      ['Bad Name', wasm('hello'), undefined, 400, 'invalid_name'],
      ['net', wasm('hello'), { allowed_hosts: ['https://example.org/x'] }, 400, 'invalid_manifest'],
      ['wild', wasm('hello'), { allowed_hosts: ['*.example.org'] }, 400, 'invalid_manifest'],
      ['sneaky-net', wasm('http-status'), undefined, 400, 'invalid_module'],
      ['slow', wasm('hello'), { timeout_ms: 60_000 }, 400, 'invalid_manifest'],
    ];
    for (const [name, module, manifest, status, error] of cases) {
      const res = await deploy(alice, name, module, manifest);
      expect([res.status, res.json.error]).toEqual([status, error]);
    }
    const big = await deploy(alice, 'big', Buffer.alloc(6 * 1024 * 1024));
    expect(big.status).toBe(413);
    const noFile = await call('POST', gateway('/functions'), { token: alice, body: { name: 'x' } });
    expectCleanError(noFile, 415);
    const huge = await call('POST', gateway('/functions/hello/invoke'), {
      token: alice,
      body: 'x'.repeat(2 * 1024 * 1024),
      headers: { 'content-type': 'text/plain' },
    });
    expectCleanError(huge, 413);
  });
});
