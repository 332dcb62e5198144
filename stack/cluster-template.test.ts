import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clusterTemplate, clusterTemplateKey, whilePostgresRuns } from './cluster-template.js';
import { waitHealthy } from './health.js';
import { AppHome, resolveCacheDir } from './home.js';
import { migrationFiles, withClient } from './migrate.js';
import { freeLoopbackPort, portMap } from './ports.js';
import { loadOrCreateSecrets, type StackSecrets } from './secrets.js';
import { LOOPBACK, type ServiceContext } from './services/definition.js';
import { adminUrl, postgres } from './services/postgres.js';

// The real template in the machine's binary cache (the one every fresh home of the suites copies), and real Postgres.

let home: AppHome;
let secrets: StackSecrets;
let ports = portMap();
const events: string[] = [];
const context = (): ServiceContext => ({
  home,
  ports,
  secrets,
  jwks: '',
  network: LOOPBACK,
  progress: (e) => events.push(e.step),
  binary: () => Promise.reject(new Error('postgres has no binary recipe')),
  clusterTemplate: () => clusterTemplate(resolveCacheDir(), (e) => events.push(e.step)),
});

const query = <T>(url: string, sql: string): Promise<T[]> =>
  withClient(url, async (client) => (await client.query(sql)).rows as T[]);

beforeEach(async () => {
  home = new AppHome(await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-template-')));
  await fs.chmod(home.root, 0o755); // Postgres runs as the service user when the tests run as root
  await home.ensure();
  secrets = await loadOrCreateSecrets(home);
  events.length = 0;
  ports = { ...portMap(), postgres: await freeLoopbackPort() };
});
afterEach(() => fs.rm(home.root, { recursive: true, force: true }));

describe('the database cluster template', () => {
  it('is named by what it holds, the same way every time', async () => {
    const key = await clusterTemplateKey();
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(await clusterTemplateKey()).toBe(key);
    const template = await clusterTemplate(resolveCacheDir(), () => undefined);
    expect(path.basename(template)).toBe(`postgres-${key}`);
    const files = await fs.readdir(template);
    expect(files).toContain('PG_VERSION');
    expect(files).not.toContain('postmaster.pid'); // stopped cleanly
  });

  it('gives a fresh home a migrated cluster that only this home can log in to', async () => {
    const db = await postgres.spec(context());
    await db.prepare?.(
      (e) => events.push(e.step),
      () => undefined,
    );
    expect(events).toContain('first run: copying the prepared database cluster');
    expect(events).not.toContain('first run: creating the database cluster (initdb)');
    await whilePostgresRuns(db.command, async (exited) => {
      const url = adminUrl(ports, secrets, 'postgres');
      await waitHealthy(db.health, 30_000, exited);
      // Only the superuser has a password, this home's: the template held none.
      const withPassword = await query<{ rolname: string }>(
        url,
        'select rolname from pg_authid where rolpassword is not null order by 1',
      );
      expect(withPassword.map((r) => r.rolname)).toEqual(['postgres']);
      const wrong = adminUrl(ports, { ...secrets, postgresPassword: 'not-this-homes-password' }, 'postgres');
      await expect(query(wrong, 'select 1')).rejects.toThrow(/password authentication failed/);
      // Every app migration and Kratos' are in already: the start only checks them.
      const sqlFiles = await migrationFiles();
      const applied = await query<{ name: string }>(
        adminUrl(ports, secrets),
        'select name from app_private.migrations order by 1',
      );
      expect(applied.map((r) => r.name)).toEqual(sqlFiles);
      const [kratosStamp] = await query<{ stamp: string; n: string }>(
        adminUrl(ports, secrets, 'kratos'),
        `select obj_description('public.schema_migration'::regclass, 'pg_class') as stamp, count(*) as n
         from schema_migration`,
      );
      expect(kratosStamp!.stamp).toBe(`apprun: kratos v1.3.1 applied ${kratosStamp!.n} migrations`);
    });
  });

  it('refuses a data folder that holds files but no cluster, and leaves them', async () => {
    const dataDir = home.dataDir('postgres');
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(path.join(dataDir, 'notes.txt'), 'mine');
    const db = await postgres.spec(context());
    await expect(
      db.prepare?.(
        () => undefined,
        () => undefined,
      ),
    ).rejects.toThrow(/holds files but no PostgreSQL cluster \(no PG_VERSION\): move it away/);
    expect(await fs.readFile(path.join(dataDir, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await fs.readdir(path.dirname(dataDir))).toEqual(['postgres']); // no half copy left beside it
  });
});
