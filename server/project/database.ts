// The project's side of the app database: its config's tenants and dev users, its migrations and its seed, brought in
// at start (before PostgREST reads the schema), while running (a saved migration), and by `apprun db reset` (from a
// template database cached by the checksums of everything that went into it).
import fs from 'node:fs/promises';
import type pg from 'pg';
import type { ProgressFn } from '../../stack/spec.js';
import type { ConfigUser, ProjectConfig } from './config.js';
import { tenantOf } from './config.js';
import {
  appliedMigrations,
  applyMigration,
  checksumOf,
  editedMigration,
  hasStatements,
  MigrationError,
  type MigrationFile,
  type PlatformFingerprint,
  readMigrations,
  runSeed,
} from './migrations.js';
import { migrationsDir, type Project, seedFile } from './project.js';

/** Serializes everything that changes the project's schema, across processes too (the platform's migrate uses it). */
const SCHEMA_LOCK = 7426001;

export interface MigrationState {
  name: string;
  state: 'applied' | 'pending' | 'edited' | 'failed';
  appliedAt?: string;
  error?: string;
}

/** A seed is recorded by its checksum: it runs on a fresh database only, and again at every reset. */
const SEEDED = 'seed';

const userName = (u: ConfigUser) => u.name ?? u.email.split('@')[0]!;

/**
 * The config's tenants and dev users, made to match it (by id when given, else by name or email). Tenants and users
 * the config no longer lists stay: they may own rows.
 */
export async function syncConfig(client: pg.ClientBase, config: ProjectConfig): Promise<void> {
  const ids = new Map<string, string>();
  for (const t of config.tenants) {
    const plan = t.plan ?? 'free';
    const { rows } = t.id
      ? await client.query<{ id: string }>(
          `insert into app_private.tenants (id, name, plan) values ($1, $2, $3)
           on conflict (id) do update set name = excluded.name, plan = excluded.plan returning id`,
          [t.id, t.name, plan],
        )
      : await client.query<{ id: string }>(
          `insert into app_private.tenants (name, plan) values ($1, $2)
           on conflict (name) do update set plan = excluded.plan returning id`,
          [t.name, plan],
        );
    ids.set(t.name, rows[0]!.id);
  }
  for (const u of config.users ?? []) {
    const tenant = ids.get(tenantOf(config, u.tenant)!.name)!;
    const values = [u.email.toLowerCase(), userName(u), tenant, u.role];
    await client.query(
      u.id
        ? `insert into app_private.users (id, email, name, tenant_id, role, from_config) values ($5, $1, $2, $3, $4, true)
           on conflict (id) do update set email = excluded.email, name = excluded.name, tenant_id = excluded.tenant_id,
             role = excluded.role, from_config = true`
        : `insert into app_private.users (email, name, tenant_id, role, from_config) values ($1, $2, $3, $4, true)
           on conflict (email) do update set name = excluded.name, tenant_id = excluded.tenant_id,
             role = excluded.role, from_config = true`,
      u.id ? [...values, u.id] : values,
    );
  }
}

/** The KPI center's fixture rows (apprun_kpi.products) for the config's first two tenants, once. */
async function seedKpiFixture(client: pg.ClientBase, config: ProjectConfig): Promise<void> {
  const [first, second] = config.tenants.map((t) => t.name);
  await client.query(
    `insert into apprun_kpi.products (tenant_id, name, price)
     select t.id, p.name, p.price from (values ($1, 'Widget', 9.99), ($1, 'Gadget', 24.50), ($2, 'Gizmo', 99.00))
       as p (tenant, name, price) join app_private.tenants t on t.name = p.tenant
     where not exists (select from apprun_kpi.products)`,
    [first, second ?? first],
  );
}

async function readSeed(project: Project): Promise<string> {
  return fs.readFile(seedFile(project), 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
}

/**
 * Brings a database to the project: config, pending migrations (refusing an edited applied one), then the seed if this
 * database has not had it. Returns the migrations it applied. Runs under the schema lock.
 */
export async function prepareDatabase(
  client: pg.ClientBase,
  project: Project,
  progress: ProgressFn,
): Promise<string[]> {
  await client.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
  try {
    const files = await readMigrations(migrationsDir(project));
    const applied = await appliedMigrations(client);
    const edited = editedMigration(files, applied);
    if (edited) throw edited;
    await syncConfig(client, project.config);
    const pending = files.filter((f) => !applied.has(f.name) && hasStatements(f.sql));
    let platform: PlatformFingerprint | undefined;
    for (const [i, m] of pending.entries()) {
      progress({ service: 'postgres', step: `applying ${m.name}`, fraction: (i + 1) / pending.length });
      platform = await applyMigration(client, m, platform);
    }
    const seeded = (
      await client.query<{ value: string }>('select value from app_private.project_state where key = $1', [SEEDED])
    ).rows[0];
    if (!seeded) {
      const sql = await readSeed(project);
      // A database an earlier apprun seeded and used (a user has an identity, which only a start gives) keeps its rows
      // as they are: the seed would put back what its developer deleted.
      const lived = (await client.query('select from app_private.users where kratos_identity_id is not null limit 1'))
        .rowCount;
      if (lived) progress({ service: 'postgres', step: 'seed.sql is not run over data an earlier apprun seeded' });
      else if (sql.trim()) {
        progress({ service: 'postgres', step: 'seeding (apprun/seed.sql)' });
        await runSeed(client, 'seed.sql', sql);
      }
      await client.query(
        `insert into app_private.project_state (key, value) values ($1, $2)
         on conflict (key) do update set value = excluded.value, updated_at = now()`,
        [SEEDED, checksumOf(sql)],
      );
    }
    await seedKpiFixture(client, project.config);
    return pending.map((m) => m.name);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => undefined);
  }
}

/** Every migration file and recorded migration, with its state; `failed` carries the last error of a live apply. */
export async function migrationStates(
  client: pg.ClientBase,
  project: Project,
  failure?: MigrationError,
): Promise<MigrationState[]> {
  let files: MigrationFile[];
  try {
    files = await readMigrations(migrationsDir(project));
  } catch (err) {
    if (!(err instanceof MigrationError)) throw err;
    return [{ name: err.file, state: 'failed', error: err.message }];
  }
  const applied = await appliedMigrations(client);
  const states: MigrationState[] = files.map((f) => {
    const record = applied.get(f.name);
    if (record)
      return {
        name: f.name,
        state: record.checksum === f.checksum ? 'applied' : 'edited',
        appliedAt: record.appliedAt.toISOString(),
      };
    if (failure?.file === f.name) return { name: f.name, state: 'failed', error: failure.message };
    return { name: f.name, state: 'pending' };
  });
  // Applied, then removed from the folder: its effect stays.
  for (const [name, record] of applied)
    if (!files.some((f) => f.name === name))
      states.push({ name, state: 'applied', appliedAt: record.appliedAt.toISOString() });
  return states.sort((a, b) => a.name.localeCompare(b.name));
}
