import { withClient } from '../../stack/migrate.js';
import type { ServiceContext } from '../../stack/services/definition.js';
import { prepareDatabase } from './database.js';
import type { Project } from './project.js';

/**
 * What the core gives PostgREST to run before it launches, once the platform's migrations are in: the project's
 * config, migrations and seed (Kratos starts meanwhile). At the core's start (and on a database that never had the
 * project, after a restore) a problem stops the start, naming the file. When PostgREST is restarted later (healed),
 * the running stack must come back as it was: a migration saved meanwhile that fails is reported, not fatal (the
 * folder watcher reports it too).
 */
export function projectDatabaseHook(project: Project): NonNullable<ServiceContext['databaseReady']> {
  let started = false;
  return async (appUrl, progress) => {
    const strict = !started;
    started = true;
    await withClient(appUrl, async (client) => {
      const fresh = !(await client.query('select from app_private.project_migrations limit 1')).rowCount;
      try {
        const applied = await prepareDatabase(client, project, progress);
        if (applied.length) progress({ service: 'postgres', step: appliedLine(applied) });
      } catch (err) {
        if (strict || fresh) throw err;
        progress({ service: 'postgres', step: `the project's database is not up to date: ${(err as Error).message}` });
      }
    });
  };
}

/** "applied 2 migrations: a.sql, b.sql"; a long list by its ends (each was printed as it was applied). */
function appliedLine(applied: readonly string[]): string {
  const names = applied.length <= 4 ? applied.join(', ') : `${applied[0]} … ${applied.at(-1)}`;
  return `applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${names}`;
}
