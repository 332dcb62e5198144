import path from 'node:path';
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
} from 'jose';
import { type AppHome, readJsonIfExists, writePrivateFile } from '../../stack/home.js';

/** Asymmetric, so PostgREST and anyone else can verify with the public half only. */
export const TOKEN_ALG = 'EdDSA';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** Where an export's containers and pods get the signing key (a private JWK as JSON), instead of the home. */
export const SIGNING_KEY_VARIABLE = 'APPRUN_SIGNING_KEY';

/** A new private JWK with its thumbprint as kid: a home's first key, or an export's. */
export async function newSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(TOKEN_ALG, { extractable: true, crv: 'Ed25519' });
  const privateJwk = await exportJWK(privateKey);
  privateJwk.kid = await calculateJwkThumbprint(privateJwk);
  privateJwk.alg = TOKEN_ALG;
  return privateJwk;
}

/**
 * The gateway's token signing key: generated at first start, kept 0600 in the app home, never in the repo; or from
 * $APPRUN_SIGNING_KEY (an export's gateways, which share it).
 */
export async function loadOrCreateSigningKey(home: AppHome): Promise<SigningKey> {
  const file = path.join(home.secretsDir, 'jwt-signing-key.json');
  let privateJwk = process.env[SIGNING_KEY_VARIABLE]
    ? await parsedKey(process.env[SIGNING_KEY_VARIABLE])
    : await readJsonIfExists<JWK>(file);
  if (!privateJwk) {
    privateJwk = await newSigningJwk();
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

/** A private JWK as JSON, or a PKCS#8 PEM (what Helm's genPrivateKey "ed25519" makes at install). */
async function parsedKey(text: string): Promise<JWK> {
  if (text.trimStart().startsWith('-----BEGIN PRIVATE KEY-----')) {
    try {
      const jwk = await exportJWK(await importPKCS8(text, TOKEN_ALG, { extractable: true }));
      jwk.kid = await calculateJwkThumbprint(jwk);
      jwk.alg = TOKEN_ALG;
      return jwk;
    } catch (err) {
      throw new Error(
        `$${SIGNING_KEY_VARIABLE} holds a PEM that is not an Ed25519 private key: ${(err as Error).message}`,
      );
    }
  }
  try {
    const jwk = JSON.parse(text) as JWK;
    if (jwk.kty === 'OKP' && jwk.d && jwk.kid) return jwk;
  } catch {
    // reported below
  }
  throw new Error(
    `$${SIGNING_KEY_VARIABLE} is not a private Ed25519 JWK with a kid (an export's secrets.env holds one)`,
  );
}
