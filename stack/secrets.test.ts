import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppHome } from './home.js';
import { loadOrCreateSecrets, newSecrets, secretVariable } from './secrets.js';

const home = () => new AppHome(fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-secrets-')));
const variables = Object.keys(newSecrets()).map(secretVariable);
afterEach(() => {
  for (const v of variables) delete process.env[v];
});

describe('stack secrets', () => {
  it('are made once per home, 0600', async () => {
    const h = home();
    await h.ensure();
    const first = await loadOrCreateSecrets(h);
    expect(await loadOrCreateSecrets(h)).toEqual(first);
    expect(fs.statSync(path.join(h.secretsDir, 'stack-secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('come from APPRUN_SECRET_* when all are set (an export), and nothing is written', async () => {
    const given = newSecrets();
    for (const [name, value] of Object.entries(given)) process.env[secretVariable(name)] = value;
    const h = home();
    expect(await loadOrCreateSecrets(h)).toEqual(given);
    expect(fs.existsSync(path.join(h.secretsDir, 'stack-secrets.json'))).toBe(false);
  });

  it('refuse a partial set from the environment, naming what is missing', async () => {
    process.env[secretVariable('postgresPassword')] = 'only-this-one';
    await expect(loadOrCreateSecrets(home())).rejects.toThrow(/but not .*APPRUN_SECRET_AUTHENTICATOR_PASSWORD/);
  });
});
