import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { packageRoot } from './package-root.js';
import type { StackSecrets } from './secrets.js';
import type { ProgressFn } from './spec.js';

export const SQL_DIR = () => path.join(packageRoot(), 'stack', 'sql');
const APP_DATABASE = 'apprun';

/** One connection for fn, closed whatever fn did. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The app's migrations, in the order they apply. */
export async function migrationFiles(): Promise<string[]> {
  return (await fs.readdir(SQL_DIR())).filter((f) => f.endsWith('.sql')).sort();
}

/**
 * Brings the app database to the latest schema: creates it if missing, applies each stack/sql/*.sql file once
 * (in name order, each in its own transaction, recorded with its checksum), and sets the per-install password of
 * the role PostgREST logs in with. Safe to run on every start and from two processes at once (advisory lock).
 */
export async function migrate(
  maintenanceUrl: string,
  appUrl: string,
  secrets: StackSecrets,
  progress: ProgressFn,
): Promise<string[]> {
  await withClient(maintenanceUrl, async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [APP_DATABASE]);
    if (!rowCount) {
      progress({ service: 'postgres', step: `creating database ${APP_DATABASE}` });
      await client.query(`create database ${APP_DATABASE}`);
    }
  });

  const files = await migrationFiles();
  return withClient(appUrl, async (client) => {
    await client.query('select pg_advisory_lock(7426001)');
    try {
      await client.query('create schema if not exists app_private');
      await client.query(
        'create table if not exists app_private.migrations (name text primary key, checksum text not null, ' +
          'applied_at timestamptz not null default now())',
      );
      const applied = new Map<string, string>(
        (
          await client.query<{ name: string; checksum: string }>('select name, checksum from app_private.migrations')
        ).rows.map((r) => [r.name, r.checksum]),
      );
      const newlyApplied: string[] = [];
      for (const [i, file] of files.entries()) {
        const sql = await fs.readFile(path.join(SQL_DIR(), file), 'utf8');
        const checksum = createHash('sha256').update(sql).digest('hex');
        const previous = applied.get(file);
        if (previous !== undefined) {
          if (previous !== checksum) {
            throw new Error(`migration ${file} was changed after it was applied; add a new migration file instead`);
          }
          continue;
        }
        progress({ service: 'postgres', step: `applying migration ${file}`, fraction: (i + 1) / files.length });
        await client.query('begin');
        try {
          await client.query(sql);
          await client.query('insert into app_private.migrations (name, checksum) values ($1, $2)', [file, checksum]);
          await client.query('commit');
        } catch (err) {
          await client.query('rollback');
          throw new Error(`migration ${file} failed: ${(err as Error).message}`);
        }
        newlyApplied.push(file);
      }
      // Not a migration: the password is per install and lives only in the app home.
      await client.query(
        `alter role authenticator with login password '${secrets.authenticatorPassword.replace(/'/g, "''")}'`,
      );
      return newlyApplied;
    } finally {
      await client.query('select pg_advisory_unlock(7426001)').catch(() => undefined);
    }
  });
}
