import path from 'node:path';
import { type AppHome, readJsonIfExists, writePrivateFile } from './home.js';
import { SERVICES, type SecretName } from './services/index.js';

/** Per-install credentials for the services (each service file declares its own), kept 0600 in the app home. */
export type StackSecrets = Record<SecretName, string>;

/** The variable that carries a secret into a container or pod: kratosDbPassword → APPRUN_SECRET_KRATOS_DB_PASSWORD. */
export const secretVariable = (name: string) => `APPRUN_SECRET_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Every secret the services declare, newly made: what an export writes to its env file. */
export function newSecrets(): StackSecrets {
  const secrets = {} as StackSecrets;
  for (const service of SERVICES)
    for (const [name, make] of Object.entries(service.secrets) as [SecretName, () => string][]) secrets[name] = make();
  return secrets;
}

/**
 * Reads the home's secrets, making any a service needs that the file does not hold yet (first start, new service).
 * Where every secret comes from the environment (`APPRUN_SECRET_*`: an exported Compose file's env file, a Kubernetes
 * Secret), those are used and nothing is written, so the containers of one export agree.
 */
export async function loadOrCreateSecrets(home: AppHome): Promise<StackSecrets> {
  const fromEnv = secretsFromEnv();
  if (fromEnv) return fromEnv;
  const file = path.join(home.secretsDir, 'stack-secrets.json');
  const existing = (await readJsonIfExists<Partial<StackSecrets>>(file)) ?? {};
  const secrets = { ...existing } as StackSecrets;
  let added = false;
  for (const service of SERVICES) {
    for (const [name, make] of Object.entries(service.secrets) as [SecretName, () => string][]) {
      if (typeof secrets[name] === 'string' && secrets[name]) continue;
      secrets[name] = make();
      added = true;
    }
  }
  if (added) await writePrivateFile(file, JSON.stringify(secrets, null, 2));
  return secrets;
}

/** The secrets from `APPRUN_SECRET_*` when all are set; a partial set is refused (two containers would disagree). */
function secretsFromEnv(): StackSecrets | undefined {
  const names = SERVICES.flatMap((service) => Object.keys(service.secrets)) as SecretName[];
  const set = names.filter((name) => process.env[secretVariable(name)]);
  if (!set.length) return undefined;
  const missing = names.filter((name) => !process.env[secretVariable(name)]);
  if (missing.length)
    throw new Error(
      `the environment sets ${set.map(secretVariable).join(', ')} but not ${missing.map(secretVariable).join(', ')}: ` +
        'set all of them (the export’s secrets.env) or none',
    );
  return Object.fromEntries(names.map((name) => [name, process.env[secretVariable(name)]!])) as StackSecrets;
}
