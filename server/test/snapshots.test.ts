import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, type ApprunApi, adminApi } from '../api/contract.js';
import { type RunningApprun, startApprun, stopStartedApprun } from './apprun-process.js';
import { apprun } from './cli.js';
import { call, deployFunction, login, wasmModule } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';
import { until } from './until.js';

// Snapshots on a real stack of its own: save, change everything, restore, and the original state is back.

const PORT_BASE = TEST_PORT_BASES.snapshots;
const T1 = '00000000-0000-4000-8000-000000000001';
let home: string;
let run: RunningApprun;
let api: ApprunApi;
let db: pg.Pool;
let gatewayUrl: string;

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-snapshots-'));
  await fs.chmod(home, 0o755);
  run = await startApprun(home, PORT_BASE);
  api = adminApi(run.state);
  gatewayUrl = run.state.gatewayUrl;
  const secrets = JSON.parse(await fs.readFile(path.join(home, 'secrets', 'stack-secrets.json'), 'utf8'));
  db = new pg.Pool({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${run.state.ports.postgres}/apprun`,
    max: 2,
  });
  db.on('error', () => undefined); // restores restart Postgres under the pool
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stopStartedApprun();
  await fs.rm(home, { recursive: true, force: true });
});

const token = async (email: string, password?: string) => (await login(gatewayUrl, email, password)).json.access_token;

const workflow = async (alice: string, id: string) =>
  (await call('GET', `${gatewayUrl}/workflows/${id}`, { token: alice })).json;

describe('snapshots of the whole stack', () => {
  it('restores every change: a row, a user, a policy, an object, a function, and a workflow resumes mid-retry', async () => {
    const alice = await token('alice@test.com');
    // A workflow whose activity fails 4 times (retries after 0.5, 1, 2, 4 s): saved while it is retrying.
    const started = await call('POST', `${gatewayUrl}/workflows/registration`, {
      token: alice,
      body: { email: `snap-${Date.now()}@test.com`, name: 'Sam', failTimes: 4 },
    });
    expect(started.status).toBe(201);
    const workflowId = started.json.workflowId as string;
    await until('the first attempt failed', async () =>
      (await workflow(alice, workflowId)).attempts?.some((a: { outcome: string }) => a.outcome === 'failed')
        ? true
        : undefined,
    );
    const policiesBefore = (await call('GET', `${gatewayUrl}/auth/policies`, { token: alice })).json.policies;
    const productsBefore = (await db.query('select id, name from api.products order by id')).rows;

    const saved = await api.saveSnapshot('before-experiment');
    expect(saved).toMatchObject({ name: 'before-experiment', reason: 'saved by hand' });
    expect(saved.contents).toEqual(
      expect.arrayContaining(['postgres data', 'temporal data', 'minio data', 'kratos data']),
    );
    expect(saved.migrations).toContain('007_product_tags.sql');
    expect((await api.snapshots()).map((s) => s.name)).toEqual(['before-experiment']);
    // The services were held still, not restarted.
    expect((await api.stack()).services.every((s) => s.state === 'healthy' && s.restarts === 0)).toBe(true);

    // Change everything.
    await db.query(`update api.products set name = 'changed' where id = $1`, [productsBefore[0].id]);
    const registered = await call('POST', `${gatewayUrl}/auth/register`, {
      body: { email: 'newcomer@test.com', password: 'newcomer-password', tenant: T1, name: 'Newcomer' },
    });
    expect(registered.status).toBe(201);
    const object = await call('PUT', `${gatewayUrl}/storage/notes/after.txt`, {
      token: alice,
      body: 'after',
      headers: { 'content-type': 'text/plain' },
    });
    expect(object.status).toBe(201);
    const narrowed = policiesBefore.filter((p: { path: string }) => p.path !== '/storage/*');
    expect(
      (await call('PUT', `${gatewayUrl}/auth/policies`, { token: alice, body: { policies: narrowed } })).status,
    ).toBe(200);
    expect((await deployFunction(gatewayUrl, alice, 'after-save', wasmModule('hello'))).status).toBe(201);
    const completed = await until('the workflow completed after the save', async () =>
      (await workflow(alice, workflowId)).status === 'COMPLETED' ? true : undefined,
    );
    expect(completed).toBe(true);

    // Restore: all of it is gone, the original state is back.
    const restored = await api.restoreSnapshot('before-experiment');
    expect(restored.name).toBe('before-experiment');
    expect((await api.stack()).services.every((s) => s.state === 'healthy')).toBe(true);
    expect((await db.query('select id, name from api.products order by id')).rows).toEqual(productsBefore);
    expect((await login(gatewayUrl, 'newcomer@test.com', 'newcomer-password')).status).toBe(401);
    const alice2 = await token('alice@test.com');
    expect((await call('GET', `${gatewayUrl}/auth/policies`, { token: alice2 })).json.policies).toEqual(policiesBefore);
    expect((await call('GET', `${gatewayUrl}/storage/notes/after.txt`, { token: alice2 })).status).toBe(404);
    expect(
      (await call('GET', `${gatewayUrl}/functions`, { token: alice2 })).json.functions.map(
        (f: { name: string }) => f.name,
      ),
    ).not.toContain('after-save');
    // The workflow is mid-retry again, resumes, and completes.
    expect((await workflow(alice2, workflowId)).status).toBe('RUNNING');
    await until(
      'the restored workflow resumed and completed',
      async () => {
        const w = await workflow(alice2, workflowId);
        return w.status === 'COMPLETED' ? w : undefined;
      },
      60_000,
    );
  }, 180_000);

  it('restores only what changed since the snapshot: a row brings back Postgres (and what runs on it), nothing changed nothing', async () => {
    await api.saveSnapshot('fast-path');
    const pids = async () => Object.fromEntries((await api.stack()).services.map((s) => [s.name, s.pid]));
    const before = await pids();
    const product = (await db.query('select id, name from api.products order by id limit 1')).rows[0];
    await db.query(`update api.products set name = 'fast-changed' where id = $1`, [product.id]);

    await api.restoreSnapshot('fast-path');
    expect((await db.query('select name from api.products where id = $1', [product.id])).rows[0].name).toBe(
      product.name,
    );
    const after = await pids();
    // Postgres and PostgREST; Kratos keeps running (re-checked: its pool's dead connections are replaced, so the
    // login below works at once), and so do the others.
    for (const name of ['postgres', 'postgrest']) expect(after[name], name).not.toBe(before[name]);
    for (const name of ['temporal', 'minio', 'kratos']) expect(after[name], name).toBe(before[name]);
    expect((await api.stack()).services.every((s) => s.state === 'healthy')).toBe(true);
    // Nothing changed since (no write in between): nothing is restarted.
    await api.restoreSnapshot('fast-path');
    expect(await pids()).toEqual(after);
    // The services that kept running reconnect: a login (Kratos on the restored database) and a read.
    const alice = await token('alice@test.com');
    expect((await call('GET', `${gatewayUrl}/data/products?select=name`, { token: alice })).status).toBe(200);

    // With `full`, everything is.
    await api.restoreSnapshot('fast-path', true);
    const full = await pids();
    for (const name of ['postgres', 'postgrest', 'kratos', 'temporal', 'minio'])
      expect(full[name], name).not.toBe(after[name]);
    await api.deleteSnapshot('fast-path');
  }, 120_000);

  it('refuses an unknown name, a bad name, a corrupted snapshot and one of another home, changing nothing', async () => {
    const refused = async (p: Promise<unknown>, status: number, says: string) => {
      const err = (await p.then(
        () => undefined,
        (e: unknown) => e,
      )) as ApiCallError;
      expect(err).toBeInstanceOf(ApiCallError);
      expect(err.status).toBe(status);
      expect(err.message).toContain(says);
    };
    await refused(api.restoreSnapshot('nope'), 404, 'no snapshot named "nope"');
    await refused(api.saveSnapshot('../etc'), 400, 'must match pattern');
    await refused(api.saveSnapshot('before-experiment'), 409, 'exists already');

    const before = (await db.query('select count(*)::int as n from api.products')).rows[0].n;
    const snap = path.join(home, 'snapshots', 'before-experiment');
    const victim = path.join(snap, 'data', 'postgres', 'PG_VERSION');
    const original = await fs.readFile(victim);
    await fs.writeFile(victim, 'garbage');
    await refused(api.restoreSnapshot('before-experiment'), 422, 'PG_VERSION does not match its checksum');
    await fs.writeFile(victim, original);
    const manifestFile = path.join(snap, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
    await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, homeId: 'another-home' }));
    await refused(api.restoreSnapshot('before-experiment'), 422, 'taken by another app home');
    await fs.writeFile(manifestFile, JSON.stringify(manifest));
    expect((await db.query('select count(*)::int as n from api.products')).rows[0].n).toBe(before);
    expect((await api.stack()).services.every((s) => s.state === 'healthy' && s.restarts === 0)).toBe(true);

    // A save that cannot be written (here: the snapshots folder is a file, as root cannot be kept out by modes)
    // is a clear error, and nothing half-written is listed once the folder is back.
    const folder = path.join(home, 'snapshots');
    await fs.rename(folder, `${folder}.aside`);
    await fs.writeFile(folder, 'not a folder');
    try {
      await refused(api.saveSnapshot('unwritable'), 503, 'snapshot "unwritable" was not saved');
    } finally {
      await fs.rm(folder, { force: true });
      await fs.rename(`${folder}.aside`, folder);
    }
    expect(await fs.readdir(folder)).toEqual(['before-experiment']);
    expect((await api.snapshots()).map((s) => s.name)).toEqual(['before-experiment']);
  }, 60_000);

  it('reset gives exactly the seed; --keep-users keeps who signed up, with their password', async () => {
    const seedProducts = (await db.query('select count(*)::int as n from api.products')).rows[0].n;
    await db.query(`insert into api.products (tenant_id, name, price) values ($1, 'extra', 1)`, [T1]);
    const registered = await call('POST', `${gatewayUrl}/auth/register`, {
      body: { email: 'keeper@test.com', password: 'keeper-password', tenant: T1, name: 'Keeper' },
    });
    expect(registered.status).toBe(201);

    // The first reset starts from empty data, and keeps that state as the seed.
    expect(await api.reset(true)).toMatchObject({ keptUsers: 1, skippedUsers: [], fromSeed: false });
    expect((await db.query('select count(*)::int as n from api.products')).rows[0].n).toBe(seedProducts);
    const keeper = await login(gatewayUrl, 'keeper@test.com', 'keeper-password');
    expect(keeper.status).toBe(200);
    expect(
      (await call('GET', `${gatewayUrl}/data/products?select=name`, { token: keeper.json.access_token })).status,
    ).toBe(200);

    // The next is a restore of the seed: a row, a user, an object, a workflow, all gone.
    const alice = await token('alice@test.com');
    const object = await call('PUT', `${gatewayUrl}/storage/notes/before-reset.txt`, {
      token: alice,
      body: 'gone after the reset',
      headers: { 'content-type': 'text/plain' },
    });
    expect(object.status).toBe(201);
    const started = await call('POST', `${gatewayUrl}/workflows/registration`, {
      token: alice,
      body: { email: `reset-${Date.now()}@test.com`, name: 'Rita' },
    });
    expect(started.status).toBe(201);
    await db.query(`insert into api.products (tenant_id, name, price) values ($1, 'extra', 1)`, [T1]);
    expect(await api.reset(false)).toMatchObject({ keptUsers: 0, skippedUsers: [], fromSeed: true });
    expect((await db.query('select count(*)::int as n from api.products')).rows[0].n).toBe(seedProducts);
    expect((await login(gatewayUrl, 'keeper@test.com', 'keeper-password')).status).toBe(401);
    const aliceAgain = await token('alice@test.com');
    expect((await call('GET', `${gatewayUrl}/storage/notes/before-reset.txt`, { token: aliceAgain })).status).toBe(404);
    expect(
      (await call('GET', `${gatewayUrl}/workflows/${started.json.workflowId}`, { token: aliceAgain })).status,
    ).toBe(404);
    expect((await db.query('select email from app_private.users order by email')).rows.map((r) => r.email)).toEqual([
      'alice@test.com',
      'bob@test.com',
      'charlie@test.com',
    ]);
    // The snapshots survive a reset.
    expect((await api.snapshots()).map((s) => s.name)).toEqual(['before-experiment']);
  }, 120_000);

  it('takes a snapshot by itself before starting on data an older apprun wrote, and says how to roll back', async () => {
    await run.stop();
    const recorded = path.join(home, 'data', 'written-by.json');
    const versions = JSON.parse(await fs.readFile(recorded, 'utf8'));
    await fs.writeFile(
      recorded,
      JSON.stringify({ ...versions, apprun: '0.0.9', migrations: versions.migrations.slice(0, -1) }),
    );
    run = await startApprun(home, PORT_BASE);
    api = adminApi(run.state);
    const taken = (await api.snapshots()).find((s) => s.name.startsWith('before-upgrade-'));
    const newest = (versions.migrations as string[]).at(-1)!.replace(/\./g, '\\.');
    expect(taken?.reason).toMatch(
      new RegExp(`^before upgrade: apprun 0\\.0\\.9 → \\d+\\.\\d+\\.\\d+, 1 new migration \\(${newest}\\)`),
    );
    expect(run.output()).toContain(`to roll back, \`apprun snapshot restore ${taken!.name}\``);
    // The CLI lists it, and removes it.
    const listed = await apprun(['snapshot', 'list', '--home', home]);
    expect(listed.stdout).toContain(taken!.name);
    expect((await apprun(['snapshot', 'rm', taken!.name, '--home', home])).code).toBe(0);
    expect((await api.snapshots()).map((s) => s.name)).toEqual(['before-experiment']);
  }, 180_000);
});
