import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { writePrivateFile } from '../home.js';
import { withClient } from '../migrate.js';
import { packageRoot } from '../package-root.js';
import type { PortMap } from '../ports.js';
import { token } from '../random-token.js';
import type { StackSecrets } from '../secrets.js';
import type { ProgressFn } from '../spec.js';
import type { ServiceDefinition, ServiceNetwork } from './definition.js';
import { adminUrl } from './postgres.js';

const run = promisify(execFile);
/**
 * Kratos' own tracing (Ory's otel provider, OTLP over HTTP) pointed at the collector the gateway exports to, when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; nothing otherwise. Ory takes host:port and a flag for plain HTTP.
 */
export function kratosTracingEnv(endpoint: string | undefined): Record<string, string> {
  if (!endpoint) return {};
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return {};
  }
  return {
    TRACING_PROVIDER: 'otel',
    TRACING_SERVICE_NAME: 'apprun-kratos',
    TRACING_PROVIDERS_OTLP_SERVER_URL: url.host,
    TRACING_PROVIDERS_OTLP_INSECURE: String(url.protocol === 'http:'),
    TRACING_PROVIDERS_OTLP_SAMPLING_SAMPLING_RATIO: '1',
  };
}

export const KRATOS_DATABASE = 'kratos';
// The POC's 50 MB could not hold it: at idle its PSS is ~23 MB of heap plus ~38 MB of its 71 MB binary's pages.
const BUDGET_MB = 70;
const KRATOS_VERSION = 'v1.3.1';

/** Kratos keeps its own database and role on the appliance's Postgres; created once, password per install. */
function ensureDatabase(ports: PortMap, secrets: StackSecrets): Promise<void> {
  return withClient(adminUrl(ports, secrets, 'postgres'), async (client) => {
    const password = secrets.kratosDbPassword.replace(/'/g, "''");
    const role = await client.query(`select 1 from pg_roles where rolname = 'kratos'`);
    await client.query(`${role.rowCount ? 'alter' : 'create'} role kratos with login password '${password}'`);
    const db = await client.query('select 1 from pg_database where datname = $1', [KRATOS_DATABASE]);
    if (!db.rowCount) await client.query(`create database ${KRATOS_DATABASE} owner kratos`);
  });
}

/**
 * What Kratos' database records of its migrations: how many are applied, and the stamp apprun leaves on the table
 * after a run of `kratos migrate sql` succeeded (the Kratos version and that count).
 */
async function migrationState(client: pg.Client): Promise<{ applied: number; stamp?: string }> {
  const table = await client.query(`select to_regclass('public.schema_migration') as t`);
  if (!table.rows[0].t) return { applied: 0 };
  const { rows } = await client.query(
    `select count(*) as n, obj_description('public.schema_migration'::regclass, 'pg_class') as stamp
     from schema_migration`,
  );
  return { applied: Number(rows[0].n), stamp: rows[0].stamp ?? undefined };
}

const migrationStamp = (applied: number) => `apprun: kratos ${KRATOS_VERSION} applied ${applied} migrations`;

function kratosConfig(ports: PortMap, secrets: StackSecrets, network: ServiceNetwork, schemaFile: string): object {
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  return {
    version: 'v1.3.1',
    serve: {
      public: { host: network.listen, port: ports.kratosPublic, base_url: `http://127.0.0.1:${ports.kratosPublic}/` },
      admin: { host: network.listen, port: ports.kratosAdmin, base_url: `http://127.0.0.1:${ports.kratosAdmin}/` },
    },
    selfservice: {
      default_browser_return_url: `${gateway}/ui/`,
      allowed_return_urls: [`${gateway}/ui/`],
      methods: {
        // Recovery and verification by a code in a mail, caught by the appliance's mail catcher.
        code: { enabled: true },
        password: {
          enabled: true,
          // The appliance runs offline: the breach check would only time out. Length and similarity checks stay on.
          config: { haveibeenpwned_enabled: false, min_password_length: 8, identifier_similarity_check_enabled: true },
        },
      },
      flows: {
        registration: { ui_url: `${gateway}/ui/registration`, after: { password: { hooks: [{ hook: 'session' }] } } },
        login: { ui_url: `${gateway}/ui/login` },
        error: { ui_url: `${gateway}/ui/error` },
        settings: { ui_url: `${gateway}/ui/settings` },
        recovery: { enabled: true, use: 'code', ui_url: `${gateway}/ui/recovery` },
        // A registration sends the code at once; logging in does not wait for it (a project may require it).
        verification: { enabled: true, use: 'code', ui_url: `${gateway}/ui/verification` },
      },
    },
    // A native recovery by code answers with the session and the settings flow to set the new password in
    // (continue_with), instead of a 422 asking an API client to redirect a browser.
    feature_flags: { use_continue_with_transitions: true },
    log: { level: 'warning', format: 'text', leak_sensitive_values: false },
    secrets: { cookie: [secrets.kratosCookieSecret], cipher: [secrets.kratosCipherSecret] },
    ciphers: { algorithm: 'xchacha20-poly1305' },
    // Argon2id at one of OWASP's minimum settings (7 MiB, 5 passes, 1 lane). bcrypt's cost cannot go below 12 outside
    // Kratos' --dev mode (a lower cost is raised silently), and cost 12 takes ~240 ms of a core per hash here: every
    // login, and each seeded identity on a cold start. Hashes made before (bcrypt) still verify, and Kratos re-hashes
    // them on the next login.
    hashers: {
      algorithm: 'argon2',
      argon2: { memory: '7MB', iterations: 5, parallelism: 1, salt_length: 16, key_length: 32 },
    },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: `file://${schemaFile}` }] },
    // Every mail goes to the appliance's catcher (127.0.0.1): none leaves the machine. The courier's poll (Kratos'
    // 1 s) costs ~0.2 % of a core while Kratos is awake (13 ticks a minute, 1 without it; 2 s: 8–10 ticks, and a
    // code ~2.1 s after it is asked for instead of ~1.1 s): kept at 1 s. Asleep, Kratos costs nothing.
    courier: {
      smtp: {
        connection_uri: `smtp://${network.peer}:${ports.mail}/?disable_starttls=true`,
        from_address: 'no-reply@apprun.local',
        from_name: 'apprun',
      },
    },
  };
}

/** Ory Kratos v1.3.1: its own database on our Postgres, migrations applied before each start, APIs on 127.0.0.1. */
// The port and secret names are spelled in the type too: the port map's and the secrets' types come from them.
export const kratos: ServiceDefinition<
  'kratosPublic' | 'kratosAdmin',
  'kratosDbPassword' | 'kratosCookieSecret' | 'kratosCipherSecret'
> = {
  name: 'kratos',
  description: 'Ory Kratos v1.3.1 (identities)',
  memoryBudgetMb: BUDGET_MB,
  ports: {
    kratosPublic: { default: 4433, owner: 'kratos public API' },
    kratosAdmin: { default: 4434, owner: 'kratos admin API' },
  },
  dependsOn: ['postgres'],
  secrets: {
    kratosDbPassword: () => token(24),
    /** Kratos signs session cookies with this and encrypts with the cipher secret (exactly 32 characters). */
    kratosCookieSecret: () => token(32),
    kratosCipherSecret: () => token(24), // 24 bytes → 32 base64url characters
  },
  // Its go.mod has local replace directives, so it is built inside a copy of the module source.
  binary: {
    version: KRATOS_VERSION,
    module: 'github.com/ory/kratos',
    build: 'module-source',
    versionVariable: 'github.com/ory/kratos/driver/config.Version',
  },
  banner: { label: 'Kratos', endpoint: (p) => `http://127.0.0.1:${p.kratosPublic} (admin :${p.kratosAdmin})` },
  image: { image: 'oryd/kratos:v1.3.1', executable: '/usr/bin/kratos' },
  async spec({ home, ports, secrets, network, binary }) {
    const kratosBinary = await binary();
    const configDir = home.dataDir('kratos');
    const configFile = path.join(configDir, 'kratos.json');
    const login = `kratos:${encodeURIComponent(secrets.kratosDbPassword)}@${network.peer}:${ports.postgres}`;
    const dsn = `postgres://${login}/${KRATOS_DATABASE}?sslmode=disable&max_conns=8&max_idle_conns=2`;
    const env = {
      DSN: dsn,
      HOME: configDir,
      GOMEMLIMIT: `${BUDGET_MB - 30}MiB`,
      ...kratosTracingEnv(process.env.OTEL_EXPORTER_OTLP_ENDPOINT),
    };
    return {
      dataDir: configDir,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 10_000,
      startTimeoutMs: 60_000,
      // --watch-courier: the same process sends the mail (no courier process of its own).
      command: { path: kratosBinary, args: ['serve', '--config', configFile, '--watch-courier'], env },
      // Its readiness pings the database: a pooled connection Postgres' restart ended fails one check and is dropped.
      health: { kind: 'http', url: `http://127.0.0.1:${ports.kratosAdmin}/admin/health/ready` },
      reconnects: true,
      prepare: async (progress: ProgressFn, launched: () => void) => {
        await fs.mkdir(configDir, { recursive: true, mode: 0o700 });
        await ensureDatabase(ports, secrets);
        // A copy beside the config: everything Kratos reads is in the app home (which a container mounts).
        const schemaFile = path.join(configDir, 'identity.schema.json');
        await fs.copyFile(path.join(packageRoot(), 'stack', 'kratos', 'identity.schema.json'), schemaFile);
        await writePrivateFile(configFile, JSON.stringify(kratosConfig(ports, secrets, network, schemaFile), null, 2));
        // `kratos migrate sql` takes ~1.5 s even with nothing to do: skipped when the database still records what the
        // last run of this Kratos version left. The stamp lives in the database, so a restored database, or a cluster
        // copied from the template, carries its own; one migrated by another version, or only partly, migrates.
        const kratosDb = adminUrl(ports, secrets, KRATOS_DATABASE);
        const before = await withClient(kratosDb, migrationState);
        if (before.applied > 0 && before.stamp === migrationStamp(before.applied)) return;
        progress({ service: 'kratos', step: 'applying Kratos migrations' });
        try {
          // Migrations run from the host against the same database (127.0.0.1), whatever the driver.
          const hostDsn = dsn.replace(`@${network.peer}:`, '@127.0.0.1:');
          const migrating = run(kratosBinary, ['migrate', 'sql', '--read-from-env', '--yes', '--config', configFile], {
            env: { ...process.env, ...env, DSN: hostDsn },
            timeout: 120_000,
          });
          launched(); // the core's thread only waits from here (~1 s on a fresh database)
          await migrating;
        } catch (err) {
          const output = (err as { stderr?: string }).stderr || (err as Error).message;
          throw new Error(`kratos migrate sql failed: ${output.trim().split('\n').slice(-5).join(' / ')}`);
        }
        await withClient(kratosDb, async (client) => {
          const { applied } = await migrationState(client);
          await client.query(`comment on table public.schema_migration is '${migrationStamp(applied)}'`);
        });
      },
    };
  },
};
