import path from 'node:path';
import { type AppHome, readJsonIfExists, writePrivateFile } from './home.js';
import { SERVICES, type SecretName } from './services/index.js';

/** Per-install credentials for the services (each service file declares its own), kept 0600 in the app home. */
export type StackSecrets = Record<SecretName, string>;

/** Reads the home's secrets, making any a service needs that the file does not hold yet (first start, new service). */
export async function loadOrCreateSecrets(home: AppHome): Promise<StackSecrets> {
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
