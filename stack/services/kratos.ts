import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { type AppHome, type StackSecrets, writePrivateFile } from '../home.js';
import { packageRoot } from '../package-root.js';
import type { PortMap } from '../ports.js';
import { MEMORY_BUDGET_MB, type ProgressFn, type ServiceSpec } from '../spec.js';
import { adminUrl } from './postgres.js';

const run = promisify(execFile);
export const KRATOS_DATABASE = 'kratos';

/** Kratos keeps its own database and role on the appliance's Postgres; created once, password per install. */
async function ensureDatabase(ports: PortMap, secrets: StackSecrets): Promise<void> {
  const client = new pg.Client({
    connectionString: adminUrl(ports, secrets, 'postgres'),
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    const password = secrets.kratosDbPassword.replace(/'/g, "''");
    const role = await client.query(`select 1 from pg_roles where rolname = 'kratos'`);
    await client.query(`${role.rowCount ? 'alter' : 'create'} role kratos with login password '${password}'`);
    const db = await client.query('select 1 from pg_database where datname = $1', [KRATOS_DATABASE]);
    if (!db.rowCount) await client.query(`create database ${KRATOS_DATABASE} owner kratos`);
  } finally {
    await client.end();
  }
}

function kratosConfig(ports: PortMap, secrets: StackSecrets, schemaFile: string): object {
  const gateway = `http://127.0.0.1:${ports.gateway}`;
  return {
    version: 'v1.3.1',
    serve: {
      public: { host: '127.0.0.1', port: ports.kratosPublic, base_url: `http://127.0.0.1:${ports.kratosPublic}/` },
      admin: { host: '127.0.0.1', port: ports.kratosAdmin, base_url: `http://127.0.0.1:${ports.kratosAdmin}/` },
    },
    selfservice: {
      default_browser_return_url: `${gateway}/ui/`,
      allowed_return_urls: [`${gateway}/ui/`],
      methods: {
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
        recovery: { enabled: false, ui_url: `${gateway}/ui/recovery` },
        verification: { enabled: false, ui_url: `${gateway}/ui/verification` },
      },
    },
    log: { level: 'warning', format: 'text', leak_sensitive_values: false },
    secrets: { cookie: [secrets.kratosCookieSecret], cipher: [secrets.kratosCipherSecret] },
    ciphers: { algorithm: 'xchacha20-poly1305' },
    // Local dev: a lower bcrypt cost keeps login fast; still bcrypt.
    hashers: { algorithm: 'bcrypt', bcrypt: { cost: 8 } },
    identity: { default_schema_id: 'default', schemas: [{ id: 'default', url: `file://${schemaFile}` }] },
    // No mail leaves the appliance; recovery and verification are off, so the courier never sends.
    courier: { smtp: { connection_uri: 'smtp://127.0.0.1:1025/?disable_starttls=true' } },
  };
}

/** Ory Kratos v1.3.1: its own database on our Postgres, migrations applied before each start, APIs on 127.0.0.1. */
export function kratosSpec(home: AppHome, ports: PortMap, secrets: StackSecrets, binary: string): ServiceSpec {
  const configDir = home.dataDir('kratos');
  const configFile = path.join(configDir, 'kratos.json');
  const login = `kratos:${encodeURIComponent(secrets.kratosDbPassword)}@127.0.0.1:${ports.postgres}`;
  const dsn = `postgres://${login}/${KRATOS_DATABASE}?sslmode=disable&max_conns=8&max_idle_conns=2`;
  const env = { DSN: dsn, HOME: configDir, GOMEMLIMIT: `${MEMORY_BUDGET_MB.kratos - 10}MiB` };
  return {
    name: 'kratos',
    description: 'Ory Kratos v1.3.1 (identities)',
    ports: { public: ports.kratosPublic, admin: ports.kratosAdmin },
    dataDir: configDir,
    memoryBudgetMb: MEMORY_BUDGET_MB.kratos,
    dependsOn: ['postgres'],
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
    startTimeoutMs: 60_000,
    command: { path: binary, args: ['serve', '--config', configFile], env },
    health: { kind: 'http', url: `http://127.0.0.1:${ports.kratosAdmin}/admin/health/ready` },
    prepare: async (progress: ProgressFn) => {
      await fs.mkdir(configDir, { recursive: true, mode: 0o700 });
      await ensureDatabase(ports, secrets);
      // A copy beside the config: everything Kratos reads is in the app home (which a container mounts).
      const schemaFile = path.join(configDir, 'identity.schema.json');
      await fs.copyFile(path.join(packageRoot(), 'stack', 'kratos', 'identity.schema.json'), schemaFile);
      await writePrivateFile(configFile, JSON.stringify(kratosConfig(ports, secrets, schemaFile), null, 2));
      progress({ service: 'kratos', step: 'applying Kratos migrations' });
      try {
        await run(binary, ['migrate', 'sql', '--read-from-env', '--yes', '--config', configFile], {
          env: { ...process.env, ...env },
          timeout: 120_000,
        });
      } catch (err) {
        const output = (err as { stderr?: string }).stderr || (err as Error).message;
        throw new Error(`kratos migrate sql failed: ${output.trim().split('\n').slice(-5).join(' / ')}`);
      }
    },
  };
}
