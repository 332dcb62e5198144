// `apprun db reset`: the app database back to the project's migrations and seed, in well under a second. The first
// reset after a change builds a template database (platform migrations, then the project's config, migrations and
// seed) named by the checksum of everything that went into it; every reset then drops the app database and copies
// the template, which Postgres does file by file.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { migrate, migrationFiles, SQL_DIR, withClient } from '../../stack/migrate.js';
import type { PortMap } from '../../stack/ports.js';
import type { StackSecrets } from '../../stack/secrets.js';
import { APP_DATABASE, adminUrl } from '../../stack/services/postgres.js';
import type { ProgressFn } from '../../stack/spec.js';
import { prepareDatabase } from './database.js';
import { readMigrations } from './migrations.js';
import { migrationsDir, type Project, seedFile } from './project.js';

const TEMPLATE_PREFIX = 'apprun_tpl_';

/** Names what a template holds: the platform's migrations, the project's migrations, seed, tenants and users. */
export async function templateKey(project: Project): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await migrationFiles())
    hash.update(`platform\0${file}\0`).update(await fs.readFile(path.join(SQL_DIR(), file)));
  for (const m of await readMigrations(migrationsDir(project))) hash.update(`project\0${m.name}\0${m.checksum}`);
  hash.update(`seed\0${await fs.readFile(seedFile(project), 'utf8').catch(() => '')}`);
  hash.update(JSON.stringify({ tenants: project.config.tenants, users: project.config.users ?? [] }));
  return hash.digest('hex').slice(0, 16);
}

export interface TemplateContext {
  ports: PortMap;
  secrets: StackSecrets;
  project: Project;
  progress: ProgressFn;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The template database for the project as its folder is now, built when missing (a refused migration or a failing
 * seed is an error naming the file, and nothing is left behind). Older templates are dropped.
 */
export async function ensureTemplate({
  ports,
  secrets,
  project,
  progress,
}: TemplateContext): Promise<{ name: string; built: boolean }> {
  const name = `${TEMPLATE_PREFIX}${await templateKey(project)}`;
  const maintenance = adminUrl(ports, secrets, 'postgres');
  return withClient(maintenance, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like '${TEMPLATE_PREFIX}%'`,
    );
    if (rows.some((r) => r.datname === name)) return { name, built: false };
    progress({ service: 'postgres', step: 'building the template database of the project (once per change)' });
    const building = `${TEMPLATE_PREFIX}building_${process.pid}`;
    await admin.query(`drop database if exists ${quoteIdent(building)} with (force)`);
    await admin.query(`create database ${quoteIdent(building)} template template0`);
    try {
      const url = adminUrl(ports, secrets, building);
      await migrate(maintenance, url, secrets, () => undefined);
      await withClient(url, (client) => prepareDatabase(client, project, () => undefined));
      await admin.query(`alter database ${quoteIdent(building)} rename to ${quoteIdent(name)}`);
    } catch (err) {
      await admin.query(`drop database if exists ${quoteIdent(building)} with (force)`).catch(() => undefined);
      throw err;
    }
    for (const old of rows.filter((r) => r.datname !== name && !r.datname.includes('building')))
      await admin.query(`drop database if exists ${quoteIdent(old.datname)} with (force)`).catch(() => undefined);
    return { name, built: true };
  });
}

/**
 * Replaces the app database with a copy of the template: every connection to it is ended (PostgREST, the gateway and
 * the workers reconnect by themselves), then Postgres copies the template's files.
 */
export async function replaceDatabase({ ports, secrets }: TemplateContext, template: string): Promise<void> {
  await withClient(adminUrl(ports, secrets, 'postgres'), async (admin) => {
    await admin.query(`drop database if exists ${quoteIdent(APP_DATABASE)} with (force)`);
    await admin.query(
      `create database ${quoteIdent(APP_DATABASE)} template ${quoteIdent(template)} strategy file_copy`,
    );
  });
  // PostgREST rebuilds its schema cache when it reconnects; asking as well costs nothing.
  await withClient(adminUrl(ports, secrets), (client) => client.query(`notify pgrst, 'reload schema'`));
}
