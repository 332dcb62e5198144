import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppHome } from '../../stack/home.js';
import { loadOrCreateSigningKey, newSigningJwk, SIGNING_KEY_VARIABLE } from './signing-keys.js';

const home = () => new AppHome(fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-keys-')));
afterEach(() => {
  delete process.env[SIGNING_KEY_VARIABLE];
});

describe('the signing key', () => {
  it('from $APPRUN_SIGNING_KEY as a JWK (a Compose export) or a PEM (a Helm install), the same kid each time', async () => {
    const jwk = await newSigningJwk();
    process.env[SIGNING_KEY_VARIABLE] = JSON.stringify(jwk);
    expect((await loadOrCreateSigningKey(home())).kid).toBe(jwk.kid);
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    process.env[SIGNING_KEY_VARIABLE] = pem;
    const [a, b] = [await loadOrCreateSigningKey(home()), await loadOrCreateSigningKey(home())];
    expect(a.kid).toBe(b.kid);
    expect(a.publicJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', use: 'sig' });
    expect(a.publicJwk).not.toHaveProperty('d');
  });

  it('refuses anything else in the variable, saying what it must hold', async () => {
    for (const bad of ['{"kty":"RSA"}', 'not json', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----']) {
      process.env[SIGNING_KEY_VARIABLE] = bad;
      await expect(loadOrCreateSigningKey(home()), bad).rejects.toThrow(/APPRUN_SIGNING_KEY/);
    }
  });
});
