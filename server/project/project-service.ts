// The running project: what its folder declares, brought into the running stack at start and whenever a file is saved
// (migrations applied and served, functions built and deployed, policies applied), what the dashboard shows of it, and
// `apprun db reset`.

import path from 'node:path';
import type pg from 'pg';
import type { Static } from 'typebox';
import type { PortMap } from '../../stack/ports.js';
import type { StackSecrets } from '../../stack/secrets.js';
import type { ProgressFn } from '../../stack/spec.js';
import { PolicyTextError } from '../api/policy-text.js';
import type { ProjectEventSchema, ProjectViewSchema } from '../api/schemas/project.js';
import type { Access } from '../auth/access.js';
import type { KratosClient } from '../auth/kratos-client.js';
import { DB_ROLE } from '../auth/tokens.js';
import { DomainError } from '../errors.js';
import type { FunctionService } from '../functions/function-service.js';
import { exportUsers, importUsers, type KeptUser } from '../snapshots/kept-users.js';
import { type MigrationState, migrationStates } from './database.js';
import { buildFunction, FunctionBuildError, functionBuildCache, functionSources } from './functions-build.js';
import {
  appliedMigrations,
  applyMigration,
  editedMigration,
  hasStatements,
  MigrationError,
  type PlatformFingerprint,
  readMigrations,
} from './migrations.js';
import { applyPolicies, readPolicies } from './policies.js';
import { functionsDir, migrationsDir, type Project, policiesFile } from './project.js';
import { ensureTemplate, replaceDatabase } from './reset.js';
import { tableViews } from './schema-view.js';
import { generateTypes } from './types.js';

export type ProjectEvent = Static<typeof ProjectEventSchema>;
export type ProjectView = Static<typeof ProjectViewSchema>;

const MAX_EVENTS = 50;
/** How long an apply waits for PostgREST to serve what it made before it says so anyway. */
const SERVED_DEADLINE_MS = 3000;

/** The tables and views of api, by name. */
async function relations(db: pg.Pool | pg.PoolClient): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'api' and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
  );
  return new Set(rows.map((r) => r.name));
}
/** Same lock as the platform's migrations and the start's: one schema change at a time. */
const SCHEMA_LOCK = 7426001;

export interface ProjectServiceOptions {
  project: Project;
  db: pg.Pool;
  ports: PortMap;
  secrets: StackSecrets;
  progress: ProgressFn;
  access: Access;
  kratos: KratosClient;
  functions: FunctionService;
  /** The data API learns new tenant-scoped tables. */
  schemaChanged(): Promise<void>;
  /** Every feature's state in line with a database put back (identities, policies, functions…). */
  afterRestore(): Promise<void>;
}

export class ProjectService {
  private readonly events: ProjectEvent[] = [];
  /** The last live apply's failure, shown on its migration until a later apply succeeds. */
  private failure?: MigrationError;
  private readonly deployedAt = new Map<string, string>();
  /** One change of each kind at a time: the schema (applying, resetting), functions, policies. */
  private readonly queues: Record<'schema' | 'functions' | 'policies', Promise<unknown>> = {
    schema: Promise.resolve(),
    functions: Promise.resolve(),
    policies: Promise.resolve(),
  };

  constructor(private readonly o: ProjectServiceOptions) {}

  private get project(): Project {
    return this.o.project;
  }

  private serialized<T>(kind: keyof ProjectService['queues'], fn: () => Promise<T>): Promise<T> {
    const run = this.queues[kind].then(fn, fn);
    this.queues[kind] = run.catch(() => undefined);
    return run;
  }

  private record(event: Omit<ProjectEvent, 'at'>): void {
    this.events.unshift({ at: new Date().toISOString(), ...event });
    this.events.length = Math.min(this.events.length, MAX_EVENTS);
    const where = event.file ? `${event.file}${event.line ? `:${event.line}` : ''}: ` : '';
    const text = event.ok ? event.message : `${where}${event.message}`;
    this.o.progress({ service: 'project', step: event.ok ? text : `✗ ${text}` });
  }

  /** A migration file was saved: pending ones are applied, each in its own transaction, and served at once. */
  applyMigrations(): Promise<string[]> {
    return this.serialized('schema', async () => {
      const t0 = performance.now();
      const client = await this.o.db.connect();
      const applied: string[] = [];
      const before = await relations(client);
      try {
        await client.query('select pg_advisory_lock($1)', [SCHEMA_LOCK]);
        const files = await readMigrations(migrationsDir(this.project));
        const done = await appliedMigrations(client);
        const edited = editedMigration(files, done);
        if (edited) throw edited;
        let platform: PlatformFingerprint | undefined;
        for (const m of files.filter((f) => !done.has(f.name) && hasStatements(f.sql))) {
          platform = await applyMigration(client, m, platform);
          applied.push(m.name);
        }
        this.failure = undefined;
      } catch (err) {
        if (!(err instanceof MigrationError)) throw err;
        this.failure = err;
        this.record({
          kind: 'migrations',
          ok: false,
          file: err.file,
          line: err.line,
          message:
            `${err.reason}${applied.length ? `\n(applied before it: ${applied.join(', ')})` : ''}\n` +
            'nothing of it was applied: the stack keeps serving the schema it had',
        });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [SCHEMA_LOCK]).catch(() => undefined);
        client.release();
      }
      if (applied.length) {
        const appliedMs = Math.round(performance.now() - t0);
        await this.o.db.query(`notify pgrst, 'reload schema'`);
        const [served] = await Promise.all([this.servedBy(before), this.o.schemaChanged()]);
        this.record({
          kind: 'migrations',
          ok: true,
          message:
            `applied ${applied.join(', ')} in ${appliedMs} ms; ` +
            (served
              ? `served ${Math.round(performance.now() - t0)} ms after the save was seen`
              : 'PostgREST reloads its schema'),
        });
      }
      return applied;
    });
  }

  /**
   * Whether PostgREST serves the relations that are new since `before`, reads and writes alike: after a schema reload
   * it reads a new table a few tens of milliseconds before it takes writes to it. Asked as a tenant user would, with an
   * empty insert naming a column (201, or refused for its role, once the table and its columns are known; 404 until
   * then); bounded.
   */
  private async servedBy(before: Set<string>): Promise<boolean> {
    const added = [...(await relations(this.o.db))].filter((r) => !before.has(r));
    if (!added.length) return true;
    const user = (
      await this.o.db.query<{ id: string; email: string; tenant_id: string }>(
        'select id, email, tenant_id from app_private.users order by from_config desc limit 1',
      )
    ).rows[0];
    const token = user
      ? (
          await this.o.access.issuer.mint(
            {
              sub: user.id,
              email: user.email,
              tenant_id: user.tenant_id,
              role: 'user',
              db_role: DB_ROLE.user,
              sid: 'probe',
            },
            60,
          )
        ).access_token
      : undefined;
    const deadline = performance.now() + SERVED_DEADLINE_MS;
    const columns = await this.o.db.query<{ name: string; column: string }>(
      `select distinct on (table_name) table_name as name, column_name as column from information_schema.columns
       where table_schema = 'api' and table_name = any($1) order by table_name, ordinal_position`,
      [added],
    );
    for (const { name, column } of columns.rows) {
      for (;;) {
        const url = `http://127.0.0.1:${this.o.ports.postgrest}/${encodeURIComponent(name)}?columns=${encodeURIComponent(column)}`;
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            prefer: 'return=minimal',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: '[]',
        }).catch(() => undefined);
        await res?.body?.cancel();
        if (res && res.status !== 404) break;
        if (performance.now() > deadline) return false;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    return true;
  }

  /** policies.csv was saved (or at start). */
  applyPolicies(): Promise<void> {
    return this.serialized('policies', async () => {
      try {
        const rules = await readPolicies(policiesFile(this.project));
        const tenants = await applyPolicies(this.o.db, this.o.access.authorizer, rules);
        if (tenants)
          this.record({
            kind: 'policies',
            ok: true,
            message: `policies.csv: ${rules.length ? `${rules.length} rule(s)` : 'the defaults'} for /data in ${tenants} tenant(s)`,
          });
      } catch (err) {
        if (!(err instanceof PolicyTextError)) throw err;
        this.record({ kind: 'policies', ok: false, message: `${err.message}; the policies stay as they were` });
      }
    });
  }

  /**
   * Builds the folder's functions and deploys each to every tenant of the config; one whose source and SDK are as at
   * its last deploy is left alone unless asked for by name.
   */
  deployFunctions(
    opts: { name?: string; atStart?: boolean } = {},
  ): Promise<{ deployed: { name: string; tenants: number }[]; unchanged: string[] }> {
    return this.serialized('functions', async () => {
      const deployed: { name: string; tenants: number }[] = [];
      const unchanged: string[] = [];
      let sources: Awaited<ReturnType<typeof functionSources>>;
      try {
        sources = await functionSources(functionsDir(this.project));
      } catch (err) {
        if (!(err instanceof FunctionBuildError)) throw err;
        this.record({ kind: 'functions', ok: false, message: err.message });
        if (opts.name) throw new DomainError('invalid', 'function_build_failed', err.message);
        return { deployed, unchanged };
      }
      if (opts.name && !sources.some((s) => s.name === opts.name))
        throw new DomainError(
          'not_found',
          'unknown_function',
          `apprun/functions has no ${opts.name}.ts (it has ${sources.map((s) => s.name).join(', ') || 'none'})`,
        );
      const tenants = (
        await this.o.db.query<{ id: string }>('select id from app_private.tenants where name = any($1)', [
          this.project.config.tenants.map((t) => t.name),
        ])
      ).rows.map((r) => r.id);
      for (const source of sources.filter((s) => !opts.name || s.name === opts.name)) {
        const key = `function:${source.name}`;
        const before = (
          await this.o.db.query<{ value: string }>('select value from app_private.project_state where key = $1', [key])
        ).rows[0]?.value;
        const present = await this.o.db.query(
          'select count(*)::int as n from app_private.functions where name = $1 and tenant_id = any($2)',
          [source.name, tenants],
        );
        if (!opts.name && before === source.checksum && present.rows[0].n === tenants.length) {
          unchanged.push(source.name);
          continue;
        }
        const t0 = performance.now();
        let bytes: Uint8Array<ArrayBuffer>;
        try {
          bytes = await buildFunction(source, this.project.dir);
        } catch (err) {
          if (!(err instanceof FunctionBuildError)) throw err;
          this.record({
            kind: 'functions',
            ok: false,
            file: err.file,
            line: err.line,
            message: `${err.message}\nthe deployed version (if any) keeps running`,
          });
          if (opts.name) throw new DomainError('invalid', 'function_build_failed', err.message);
          continue;
        }
        try {
          for (const tenant of tenants)
            await this.o.functions.deploy(tenant, source.name, bytes, {}, { preparedCache: functionBuildCache() });
        } catch (err) {
          // Built, but refused by the sandbox (a missing export, a forbidden import): said like a build error.
          if (!(err instanceof DomainError)) throw err;
          const file = path.relative(this.project.dir, source.file);
          this.record({
            kind: 'functions',
            ok: false,
            file,
            message: `${err.message}\nthe deployed version (if any) keeps running`,
          });
          if (opts.name) throw err;
          continue;
        }
        await this.o.db.query(
          `insert into app_private.project_state (key, value) values ($1, $2)
           on conflict (key) do update set value = excluded.value, updated_at = now()`,
          [key, source.checksum],
        );
        this.deployedAt.set(source.name, new Date().toISOString());
        deployed.push({ name: source.name, tenants: tenants.length });
        if (!opts.atStart || before !== source.checksum)
          this.record({
            kind: 'functions',
            ok: true,
            message: `built and deployed ${source.name} to ${tenants.length} tenant(s) in ${Math.round(performance.now() - t0)} ms`,
          });
      }
      return { deployed, unchanged };
    });
  }

  /**
   * `apprun db reset`: the app database back to the project's migrations and seed, from the template database for the
   * folder as it is now (built first when missing). Users who signed up are kept with keepUsers, with their passwords.
   */
  reset(
    keepUsers: boolean,
  ): Promise<{ ms: number; templateBuilt: boolean; keptUsers: number; skippedUsers: string[] }> {
    return this.serialized('schema', async () => {
      const t0 = performance.now();
      const context = {
        ports: this.o.ports,
        secrets: this.o.secrets,
        project: this.project,
        progress: this.o.progress,
      };
      let template: { name: string; built: boolean };
      try {
        template = await ensureTemplate(context);
      } catch (err) {
        if (!(err instanceof MigrationError)) throw err;
        this.record({ kind: 'reset', ok: false, file: err.file, line: err.line, message: err.reason });
        throw new DomainError('unprocessable', 'migration_failed', err.message);
      }
      const kept = keepUsers ? await exportUsers(this.o.db, this.o.kratos) : [];
      const leaving = await this.o.db.query<{ kratos_identity_id: string | null }>(
        'select kratos_identity_id from app_private.users where not from_config and kratos_identity_id is not null',
      );
      await replaceDatabase(context, template.name);
      // Identities of users the reset removed go too (kept ones are imported again below).
      for (const row of leaving.rows)
        await this.o.kratos.deleteIdentity(row.kratos_identity_id!).catch(() => undefined);
      await this.o.afterRestore();
      const { kept: keptUsers, skipped } = keepUsers
        ? await importUsers(this.o.db, this.o.kratos, this.o.access.authorizer, kept as KeptUser[])
        : { kept: 0, skipped: [] };
      this.failure = undefined;
      const ms = Math.round(performance.now() - t0);
      this.record({ kind: 'reset', ok: true, message: `database reset to the migrations and seed in ${ms} ms` });
      return { ms, templateBuilt: template.built, keptUsers, skippedUsers: skipped };
    }).then(async (result) => {
      // The database lost the deployed functions' records: deploy the folder's again.
      await this.deployFunctions();
      return result;
    });
  }

  async view(): Promise<ProjectView> {
    const client = await this.o.db.connect();
    let migrations: MigrationState[];
    let tables: Awaited<ReturnType<typeof tableViews>>;
    try {
      migrations = await migrationStates(client, this.project, this.failure);
      tables = await tableViews(client);
    } finally {
      client.release();
    }
    const sources = await functionSources(functionsDir(this.project)).catch(() => []);
    return {
      name: this.project.config.project.name,
      dir: this.project.dir,
      builtIn: this.project.builtIn,
      migrations,
      tables,
      functions: sources.map((s) => ({ name: s.name, deployedAt: this.deployedAt.get(s.name) })),
      events: [...this.events],
    };
  }

  types(): Promise<string> {
    return generateTypes(this.o.db);
  }
}
