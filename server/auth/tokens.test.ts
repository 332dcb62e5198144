import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import type { SigningKey } from './signing-keys.js';
import { AuthError, DB_ROLE, TokenIssuer, TokenVerifier } from './tokens.js';

async function key(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = await exportJWK(publicKey);
  publicJwk.kid = await calculateJwkThumbprint(publicJwk);
  return { kid: publicJwk.kid, privateKey, publicJwk: { ...publicJwk, alg: 'EdDSA' } };
}

const claims = {
  sub: 'u1',
  email: 'a@b.c',
  tenant_id: '00000000-0000-4000-8000-000000000001',
  role: 'user' as const,
  db_role: DB_ROLE.user,
  sid: 's1',
};

describe('TokenVerifier', () => {
  it('verifies a minted token and returns its claims', async () => {
    const k = await key();
    const { access_token } = await new TokenIssuer(k, 'apprun').mint(claims, 60);
    const verifier = new TokenVerifier({ keys: [k.publicJwk] }, 'apprun');
    expect(await verifier.verifyHeader(`Bearer ${access_token}`)).toEqual(claims);
  });

  it('serves a repeated token from the cache, but never past its expiry', async () => {
    const k = await key();
    const { access_token } = await new TokenIssuer(k, 'apprun').mint(claims, 2);
    const verifier = new TokenVerifier({ keys: [k.publicJwk] }, 'apprun');
    await verifier.verify(access_token);
    const realNow = Date.now();
    const spy = vi.spyOn(Date, 'now').mockReturnValue(realNow + 3_000);
    try {
      const err = await verifier.verify(access_token).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthError);
      expect((err as AuthError).code).toBe('token_expired');
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the cache bounded', async () => {
    const k = await key();
    const issuer = new TokenIssuer(k, 'apprun');
    const verifier = new TokenVerifier({ keys: [k.publicJwk] }, 'apprun', 3);
    for (let i = 0; i < 5; i++)
      await verifier.verify((await issuer.mint({ ...claims, sub: `u${i}` }, 60)).access_token);
    expect((verifier as unknown as { cache: Map<string, unknown> }).cache.size).toBe(3);
  });

  it('rejects a role whose db_role does not match', async () => {
    const k = await key();
    const { access_token } = await new TokenIssuer(k, 'apprun').mint({ ...claims, db_role: 'postgres' }, 60);
    const verifier = new TokenVerifier({ keys: [k.publicJwk] }, 'apprun');
    await expect(verifier.verify(access_token)).rejects.toThrow(/unknown role/);
  });

  it('rejects every token of a revoked session, cached or not', async () => {
    const k = await key();
    const issuer = new TokenIssuer(k, 'apprun');
    const verifier = new TokenVerifier({ keys: [k.publicJwk] }, 'apprun');
    const cached = (await issuer.mint(claims, 60)).access_token;
    await verifier.verify(cached);
    const fresh = (await issuer.mint({ ...claims, email: 'other@b.c' }, 60)).access_token;
    verifier.revokeSession('s1', Date.now() + 60_000);
    for (const token of [cached, fresh]) {
      const err = await verifier.verify(token).catch((e: unknown) => e);
      expect((err as AuthError).code).toBe('session_revoked');
    }
    expect(await verifier.verify((await issuer.mint({ ...claims, sid: 's2' }, 60)).access_token)).toMatchObject({
      sid: 's2',
    });
  });

  it('retires a user’s tokens issued until now, cached or not; one issued a moment later passes', async () => {
    const k = await key();
    const issuer = new TokenIssuer(k, 'apprun');
    const verifier = new TokenVerifier({ keys: [k.publicJwk] }, 'apprun');
    const cached = (await issuer.mint(claims, 60)).access_token;
    await verifier.verify(cached);
    const unseen = (await issuer.mint({ ...claims, sid: 's2' }, 60)).access_token;
    const otherUser = (await issuer.mint({ ...claims, sub: 'u2' }, 60)).access_token;
    verifier.retireTokensOf('u1', Date.now() + 60_000);
    for (const token of [cached, unseen]) {
      const err = await verifier.verify(token).catch((e: unknown) => e);
      expect((err as AuthError).code).toBe('session_revoked');
    }
    expect(verifier.cachedClaims(`Bearer ${cached}`)).toBeUndefined();
    expect((await verifier.verify(otherUser)).sub).toBe('u2');
    await new Promise((r) => setTimeout(r, 2));
    const after = (await issuer.mint(claims, 60)).access_token;
    expect((await verifier.verify(after)).sub).toBe('u1');
  });
});
