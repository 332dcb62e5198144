import path from 'node:path';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { type AppHome, readJsonIfExists, writePrivateFile } from '../../stack/home.js';

/** Asymmetric, so PostgREST and anyone else can verify with the public half only. */
export const TOKEN_ALG = 'EdDSA';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** The gateway's token signing key: generated at first start, kept 0600 in the app home, never in the repo. */
export async function loadOrCreateSigningKey(home: AppHome): Promise<SigningKey> {
  const file = path.join(home.secretsDir, 'jwt-signing-key.json');
  let privateJwk = await readJsonIfExists<JWK>(file);
  if (!privateJwk) {
    const { privateKey } = await generateKeyPair(TOKEN_ALG, { extractable: true, crv: 'Ed25519' });
    privateJwk = await exportJWK(privateKey);
    privateJwk.kid = await calculateJwkThumbprint(privateJwk);
    privateJwk.alg = TOKEN_ALG;
    await writePrivateFile(file, JSON.stringify(privateJwk));
  }
  const { d: _private, ...publicJwk } = privateJwk;
  return {
    kid: privateJwk.kid!,
    privateKey: (await importJWK(privateJwk, TOKEN_ALG)) as CryptoKey,
    publicJwk: { ...publicJwk, use: 'sig' },
  };
}

export function jwksOf(keys: SigningKey[]): { keys: JWK[] } {
  return { keys: keys.map((k) => k.publicJwk) };
}
