import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portMap } from '../../stack/ports.js';
import { secretVariable } from '../../stack/secrets.js';
import { provisionTool } from '../../stack/tools.js';
import { apprun } from './cli.js';
import { call, callThrough, login, stack } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';

// `apprun export compose` brought up for real on the local engine (host network: this engine has no bridge), the
// isolation suite run through the export's gateway and against its own database and PostgREST, then `docker compose
// down -v` leaving no container, volume or network.

const exec = promisify(execFile);
const base = TEST_PORT_BASES.composeExport;
const ports = portMap(base);
const NAME = `apprun-export-test-${process.pid}`;
let out: string;
let compose: string;
let secrets: Record<string, string> = {};

const dc = (...args: string[]) =>
  exec(compose, ['-p', NAME, ...args], { cwd: out, timeout: 600_000, maxBuffer: 32 * 2 ** 20 });

/** What the engine still holds of the project: containers, volumes, networks. */
async function leftovers(): Promise<string[]> {
  const label = `label=com.docker.compose.project=${NAME}`;
  const lists = await Promise.all([
    exec('docker', ['ps', '-aq', '--filter', label]),
    exec('docker', ['volume', 'ls', '-q', '--filter', label]),
    exec('docker', ['network', 'ls', '-q', '--filter', label]),
  ]);
  return lists.flatMap((l) => l.stdout.split('\n').filter(Boolean));
}

beforeAll(async () => {
  compose = await provisionTool('docker-compose');
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-export-'));
  fs.chmodSync(out, 0o755);
  const home = ['--home', stack().home];
  // The apprun image (a no-op when the engine holds it for this build).
  const images = await apprun(['images', 'build', ...home], {}, 900_000);
  expect(images.code, images.stderr).toBe(0);
  const exported = await apprun([
    'export',
    'compose',
    '--out',
    out,
    '--force',
    '--network',
    'host',
    '--port-base',
    `${base}`,
    '--with-dev-users',
    ...home,
  ]);
  expect(exported.code, exported.stderr).toBe(0);
  secrets = Object.fromEntries(
    fs
      .readFileSync(path.join(out, 'secrets.env'), 'utf8')
      .split('\n')
      .map((l) => /^(\w+)='(.*)'$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  );
  await dc('up', '--detach', '--wait', '--wait-timeout', '480');
}, 1_200_000);

afterAll(async () => {
  // Whatever a failure left: down -v again (the last test asserts it leaves nothing).
  if (out) await dc('down', '--volumes', '--timeout', '20').catch(() => undefined);
  if (out) fs.rmSync(out, { recursive: true, force: true });
}, 120_000);

callThrough(`http://127.0.0.1:${ports.gateway}`, () => ({
  postgrestUrl: `http://127.0.0.1:${ports.postgrest}`,
  postgresUrl: `postgres://postgres:${encodeURIComponent(secrets[secretVariable('postgresPassword')]!)}@127.0.0.1:${ports.postgres}/apprun`,
}));
await import('./isolation.test.js');

describe('apprun export compose, up on the local engine', () => {
  it('writes its secrets to a 0600 env file only, and none of them into compose.yaml', () => {
    expect(fs.statSync(path.join(out, 'secrets.env')).mode & 0o777).toBe(0o600);
    const yaml = fs.readFileSync(path.join(out, 'compose.yaml'), 'utf8');
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(8);
    for (const [name, value] of Object.entries(secrets)) if (value.length >= 8) expect(yaml, name).not.toContain(value);
  });

  it('runs its own secrets and keys: a token of the appliance is refused, one of the export works', async () => {
    const applianceToken = (await login(stack().gatewayUrl, 'alice@test.com')).json.access_token as string;
    const refused = await call('GET', `http://127.0.0.1:${ports.gateway}/data/products?select=name`, {
      token: applianceToken,
    });
    expect(refused.status).toBe(401);
    const own = (await login(`http://127.0.0.1:${ports.gateway}`, 'alice@test.com')).json.access_token as string;
    expect(
      (await call('GET', `http://127.0.0.1:${ports.gateway}/data/products?select=name`, { token: own })).status,
    ).toBe(200);
    const stackView = await call('GET', `http://127.0.0.1:${ports.gateway}/api/stack`, {
      headers: { 'x-apprun-admin-token': secrets.APPRUN_ADMIN_TOKEN! },
    });
    expect(stackView.status, stackView.text).toBe(200);
  });

  it('keeps its data in named volumes across a restart of its containers', async () => {
    const alice = (await login(`http://127.0.0.1:${ports.gateway}`, 'alice@test.com')).json.access_token as string;
    const made = await call('POST', `http://127.0.0.1:${ports.gateway}/data/products`, {
      token: alice,
      body: { name: 'Kept across restarts', price: 1 },
      headers: { prefer: 'return=representation' },
    });
    expect(made.status, made.text).toBe(201);
    await dc('restart', '--timeout', '20');
    await dc('up', '--detach', '--wait', '--wait-timeout', '300');
    const again = (await login(`http://127.0.0.1:${ports.gateway}`, 'alice@test.com')).json.access_token as string;
    const read = await call('GET', `http://127.0.0.1:${ports.gateway}/data/products?name=eq.Kept%20across%20restarts`, {
      token: again,
    });
    expect(read.json).toHaveLength(1);
  }, 600_000);

  it('`docker compose down -v` leaves no container, volume or network', async () => {
    expect((await leftovers()).length).toBeGreaterThan(0);
    await dc('down', '--volumes', '--timeout', '20');
    expect(await leftovers()).toEqual([]);
  }, 180_000);
});
