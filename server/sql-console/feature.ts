import pg from 'pg';
import { APP_DATABASE } from '../../stack/services/postgres.js';
import { defineFeature } from '../feature.js';
import { usersFeature } from '../users/feature.js';
import sqlConsolePlugin from './plugin.js';
import { SqlConsole } from './sql-console.js';

/** /api/sql: the dashboard's read-only SQL console, as a user (their role and claims) or across tenants. */
export const sqlConsoleFeature = defineFeature({
  name: 'sql-console',
  needs: ['postgres'],
  create({ core, db, log, use }) {
    // PostgREST's login role: no rights of its own, only the roles it switches to. Made on first use.
    let asUsers: pg.Pool | undefined;
    const pool = () => {
      if (asUsers) return asUsers;
      asUsers = new pg.Pool({
        connectionString: `postgres://authenticator:${encodeURIComponent(core.secrets.authenticatorPassword)}@127.0.0.1:${core.ports.postgres}/${APP_DATABASE}`,
        max: 2,
        idleTimeoutMillis: 30_000,
      });
      // An idle connection that Postgres ends (a restart, a heal) must not end the core: the next statement reconnects.
      asUsers.on('error', (err) => log.warn({ err: err.message }, 'sql console: an idle connection ended'));
      return asUsers;
    };
    const console = new SqlConsole(pool, db, use(usersFeature).users);
    return {
      routes: { scope: 'admin', register: (app) => app.register(sqlConsolePlugin, { console }) },
      stop: async () => {
        await asUsers?.end();
      },
    };
  },
});
