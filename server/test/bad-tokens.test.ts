import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, importJWK, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, expectCleanError, gateway, postgrest, stack, T1, tokenFor } from './http.js';

const claims = {
  sub: '00000000-0000-4000-8000-0000000000a1',
  email: 'alice@test.com',
  tenant_id: T1,
  role: 'admin',
  db_role: 'apprun_admin',
  sid: 'forged',
};
let realKey: CryptoKey;
let realJwk: JWK;

/** Signs like the gateway does, with overrides to break one thing at a time. */
async function forge(
  opts: {
    key?: CryptoKey;
    kid?: string;
    payload?: object;
    iss?: string;
    aud?: string;
    exp?: number;
    nbf?: number;
  } = {},
) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims, ...opts.payload })
    .setProtectedHeader({ alg: 'EdDSA', kid: opts.kid ?? realJwk.kid })
    .setIssuer(opts.iss ?? 'apprun-gateway')
    .setAudience(opts.aud ?? 'apprun')
    .setIssuedAt(now - 10)
    .setNotBefore(opts.nbf ?? now - 10)
    .setExpirationTime(opts.exp ?? now + 600)
    .sign(opts.key ?? realKey);
}

beforeAll(async () => {
  realJwk = JSON.parse(readFileSync(path.join(stack().home, 'secrets', 'jwt-signing-key.json'), 'utf8'));
  realKey = (await importJWK(realJwk, 'EdDSA')) as CryptoKey;
});

describe('bad-token matrix: every case is a clean 401 and the gateway keeps serving', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<Record<string, string>>, string?][] = [
    ['missing Authorization header', async () => ({}), 'token_missing'],
    ['empty bearer', async () => ({ authorization: 'Bearer ' })],
    ['Basic scheme instead of Bearer', async () => ({ authorization: 'Basic YWxpY2U6cGFzcw==' }), 'token_missing'],
    ['not a JWT', async () => ({ authorization: 'Bearer not-a-token' })],
    ['three segments of garbage', async () => ({ authorization: 'Bearer aaa.bbb.ccc' })],
    [
      'expired',
      async () => ({ authorization: `Bearer ${await forge({ exp: now() - 120, nbf: now() - 600 })}` }),
      'token_expired',
    ],
    [
      'not yet valid (nbf in an hour)',
      async () => ({ authorization: `Bearer ${await forge({ nbf: now() + 3600, exp: now() + 7200 })}` }),
      'token_not_yet_valid',
    ],
    [
      'signed by another key under our kid',
      async () => {
        const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
        return { authorization: `Bearer ${await forge({ key: privateKey })}` };
      },
    ],
    [
      'a kid we do not publish',
      async () => {
        const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
        return { authorization: `Bearer ${await forge({ key: privateKey, kid: 'someone-else' })}` };
      },
    ],
    [
      'alg: none',
      async () => {
        const unsigned = new UnsecuredJWT(claims)
          .setIssuer('apprun-gateway')
          .setAudience('apprun')
          .setExpirationTime('10m');
        return { authorization: `Bearer ${unsigned.encode()}` };
      },
    ],
    [
      'HS256 keyed with our public key (algorithm confusion)',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify({ kty: realJwk.kty, crv: realJwk.crv, x: realJwk.x }));
        const token = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid: realJwk.kid })
          .setIssuer('apprun-gateway')
          .setAudience('apprun')
          .setExpirationTime('10m')
          .sign(secret);
        return { authorization: `Bearer ${token}` };
      },
    ],
    ['wrong audience', async () => ({ authorization: `Bearer ${await forge({ aud: 'someone-else' })}` })],
    ['wrong issuer', async () => ({ authorization: `Bearer ${await forge({ iss: 'evil' })}` })],
    ['oversized token (5 KB)', async () => ({ authorization: `Bearer ${'a'.repeat(5000)}` }), 'token_too_large'],
    [
      'missing tenant claim',
      async () => ({ authorization: `Bearer ${await forge({ payload: { tenant_id: undefined } })}` }),
    ],
    [
      'role escalation to a superuser db_role',
      async () => ({ authorization: `Bearer ${await forge({ payload: { db_role: 'postgres' } })}` }),
    ],
    [
      'payload tampered after signing',
      async () => {
        const [h, , s] = (await tokenFor('alice@test.com')).split('.');
        const evil = Buffer.from(
          JSON.stringify({ ...claims, tenant_id: '00000000-0000-4000-8000-000000000002', exp: now() + 600 }),
        ).toString('base64url');
        return { authorization: `Bearer ${h}.${evil}.${s}` };
      },
    ],
  ];

  it('has at least 12 cases', () => expect(cases.length).toBeGreaterThanOrEqual(12));

  it.each(cases)('%s → 401', async (_name, headers, code) => {
    const res = await call('GET', gateway('/data/products'), { headers: await headers() });
    expectCleanError(res, 401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    if (code) expect(res.json.error).toBe(code);
    expect((await call('GET', gateway('/healthz'))).status).toBe(200);
  });

  it('PostgREST itself refuses the forged tokens too (defence in depth)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    for (const token of [
      await forge({ key: privateKey }),
      await forge({ aud: 'someone-else' }),
      await forge({ exp: now() - 120, nbf: now() - 600 }),
    ]) {
      const res = await call('GET', postgrest('/products'), { token });
      expect(res.status).toBe(401);
    }
  });

  it('a header far beyond any token gets a JSON 431, not a dropped connection', async () => {
    const res = await call('GET', gateway('/data/products'), {
      headers: { authorization: `Bearer ${'a'.repeat(40_000)}` },
    });
    expect([401, 431]).toContain(res.status);
    expect(res.json?.error).toBeTypeOf('string');
  });
});
