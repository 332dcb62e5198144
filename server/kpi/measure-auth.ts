import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { Bench } from 'tinybench';
import { authorizeRequest } from '../auth/plugin.js';
import type { SigningKey } from '../auth/signing-keys.js';
import { DB_ROLE, TOKEN_ISSUER, TokenIssuer, TokenVerifier } from '../auth/tokens.js';
import { Authorizer, DEFAULT_POLICIES } from '../rbac/authorizer.js';

export const ROLE_LINKS = 1000;

export interface AuthMeasurement {
  roleLinks: number;
  tenants: number;
  distinctTokens: number;
  rows: { name: string; opsPerSec: number; meanUs: number; p99Us?: number }[];
  cachedOpsPerSec: number;
  uncachedOpsPerSec: number;
}

/**
 * Ops/s of the gateway's per-request authorization path (EdDSA token verify + Casbin enforce with 1,000 role links),
 * cached and uncached, next to raw jose verify and raw enforce(), on this process's one thread (tinybench). Used by
 * the KPI center's auth suite (in a process of its own) and by npm run bench:auth.
 */
export async function measureAuth({ timeMs = 2000, tenantCount = 10 } = {}): Promise<AuthMeasurement> {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'EdDSA' };
  publicJwk.kid = await calculateJwkThumbprint(publicJwk);
  const key: SigningKey = { kid: publicJwk.kid, privateKey, publicJwk };
  const jwks = { keys: [publicJwk] };
  const issuer = new TokenIssuer(key, 'apprun');

  const tenants = Array.from(
    { length: tenantCount },
    (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  );
  const build = async (maxCached?: number) => {
    const a = await Authorizer.inMemory(maxCached);
    for (const t of tenants) await a.replacePolicies(t, DEFAULT_POLICIES);
    for (let i = 0; i < ROLE_LINKS; i++)
      await a.linkUser(`user-${i}`, i % 5 === 0 ? 'admin' : 'user', tenants[i % tenantCount]!);
    return a;
  };
  const cachedAuthorizer = await build();
  const uncachedAuthorizer = await build(0);

  // 100 distinct users' tokens, used round-robin: the cached path holds many entries, as a real gateway would.
  const users = Array.from({ length: 100 }, (_, i) => ({
    sub: `user-${i * 10}`,
    tenant: tenants[(i * 10) % tenantCount]!,
    role: (i * 10) % 5 === 0 ? ('admin' as const) : ('user' as const),
  }));
  const headers = await Promise.all(
    users.map(async (u) => {
      const claims = {
        sub: u.sub,
        email: `${u.sub}@test.com`,
        tenant_id: u.tenant,
        role: u.role,
        db_role: DB_ROLE[u.role],
      };
      return `Bearer ${(await issuer.mint({ ...claims, sid: `s-${u.sub}` }, 3600)).access_token}`;
    }),
  );
  const tokens = headers.map((h) => h.slice(7));
  const cachedVerifier = new TokenVerifier(jwks, 'apprun');
  const uncachedVerifier = new TokenVerifier(jwks, 'apprun', 0);
  const keySet = createLocalJWKSet(jwks);
  let i = 0;
  const next = () => (i = (i + 1) % users.length);

  const bench = new Bench({ time: timeMs, warmupTime: 500 });
  bench
    .add('raw jose jwtVerify (EdDSA)', async () => {
      await jwtVerify(tokens[next()]!, keySet, { algorithms: ['EdDSA'], issuer: TOKEN_ISSUER, audience: 'apprun' });
    })
    .add(`raw casbin enforce() (${ROLE_LINKS} role links)`, () => {
      const u = users[next()]!;
      uncachedAuthorizer.enforceUncached(
        { sub: u.sub, tenant_id: u.tenant, role: u.role } as never,
        '/data/products',
        'GET',
      );
    })
    .add('authorization path, uncached (verify + enforce)', async () => {
      const n = next();
      await authorizeRequest(uncachedVerifier, uncachedAuthorizer, headers[n], '/data/products', 'GET');
    })
    .add('authorization path, cached (token + decision caches)', async () => {
      const n = next();
      await authorizeRequest(cachedVerifier, cachedAuthorizer, headers[n], '/data/products', 'GET');
    });
  await bench.run();

  const rows = bench.tasks.map((t) => {
    const r = t.result as unknown as {
      throughput?: { mean: number };
      latency?: { mean: number; p99?: number };
      hz?: number;
      mean?: number;
    };
    const opsPerSec = Math.round(r.throughput?.mean ?? r.hz ?? 0);
    const meanUs = Math.round((r.latency?.mean ?? r.mean ?? 0) * 1000 * 10) / 10;
    return {
      name: t.name,
      opsPerSec,
      meanUs,
      p99Us: r.latency?.p99 !== undefined ? Math.round(r.latency.p99 * 1000 * 10) / 10 : undefined,
    };
  });
  const ops = (prefix: string) => rows.find((r) => r.name.startsWith(prefix))!.opsPerSec;
  return {
    roleLinks: ROLE_LINKS,
    tenants: tenantCount,
    distinctTokens: users.length,
    rows,
    cachedOpsPerSec: ops('authorization path, cached'),
    uncachedOpsPerSec: ops('authorization path, uncached'),
  };
}
