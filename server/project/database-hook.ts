import { withClient } from '../../stack/migrate.js';
import type { ServiceContext } from '../../stack/services/definition.js';
import { prepareDatabase } from './database.js';
import type { Project } from './project.js';

/**
 * What the core gives the Postgres service to run once the platform's migrations are in, before PostgREST reads the
 * schema: the project's config, migrations and seed. At the core's start (and on a database that never had the
 * project, after a reset) a problem stops the start, naming the file. When Postgres is restarted later (healed), the
 * running stack must come back as it was: a migration saved meanwhile that fails is reported, not fatal (the folder
 * watcher reports it too).
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
        if (applied.length)
          progress({ service: 'postgres', step: `applied ${applied.length} migration(s): ${applied.join(', ')}` });
      } catch (err) {
        if (strict || fresh) throw err;
        progress({ service: 'postgres', step: `the project's database is not up to date: ${(err as Error).message}` });
      }
    });
  };
}
