// npm run bench:auth — ops/s of the gateway's per-request authorization path (EdDSA token verify + Casbin enforce
// with 1,000 role links), cached and uncached, next to raw jose verify and raw enforce(), on one core, in one run.
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { Bench } from 'tinybench';
import { authorizeRequest } from '../server/auth/plugin.js';
import type { SigningKey } from '../server/auth/signing-keys.js';
import { DB_ROLE, TOKEN_ISSUER, TokenIssuer, TokenVerifier } from '../server/auth/tokens.js';
import { Authorizer, DEFAULT_POLICIES } from '../server/rbac/authorizer.js';
import { type BenchReport, machine, markdownTable, publishReport } from './report.js';

const ROLE_LINKS = 1000;
const TENANTS = Number(process.env.BENCH_TENANTS ?? 10);
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 2000);
const log = (line: string) => process.stdout.write(`[bench:auth] ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = { ...(await exportJWK(publicKey)), alg: 'EdDSA' };
  publicJwk.kid = await calculateJwkThumbprint(publicJwk);
  const key: SigningKey = { kid: publicJwk.kid, privateKey, publicJwk };
  const jwks = { keys: [publicJwk] };
  const issuer = new TokenIssuer(key, 'apprun');

  log(`setting up ${TENANTS} tenants and ${ROLE_LINKS} role links`);
  const tenants = Array.from({ length: TENANTS }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const build = async (maxCached?: number) => {
    const a = await Authorizer.inMemory(maxCached);
    for (const t of tenants) await a.replacePolicies(t, DEFAULT_POLICIES);
    for (let i = 0; i < ROLE_LINKS; i++)
      await a.linkUser(`user-${i}`, i % 5 === 0 ? 'admin' : 'user', tenants[i % TENANTS]!);
    return a;
  };
  const cachedAuthorizer = await build();
  const uncachedAuthorizer = await build(0);

  // 100 distinct users' tokens, used round-robin: the cached path holds many entries, as a real gateway would.
  const users = Array.from({ length: 100 }, (_, i) => ({
    sub: `user-${i * 10}`,
    tenant: tenants[(i * 10) % TENANTS]!,
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

  const bench = new Bench({ time: TIME_MS, warmupTime: 500 });
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
  log(`running ${bench.tasks.length} cases, ${TIME_MS} ms each, on one core (this process)`);
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
  const cached = ops('authorization path, cached');
  const uncached = ops('authorization path, uncached');
  const report: BenchReport = {
    suite: 'auth',
    startedAt,
    machine: machine(),
    results: { roleLinks: ROLE_LINKS, tenants: TENANTS, distinctTokens: users.length, rows },
    kpis: [
      {
        name: 'authorized requests/s, cached path, one core',
        target: '≥ 50,000/s',
        measured: `${cached.toLocaleString('en')}/s`,
        pass: cached >= 50_000,
      },
      {
        name: 'authorized requests/s, uncached path, one core',
        target: '≥ 2,000/s',
        measured: `${uncached.toLocaleString('en')}/s`,
        pass: uncached >= 2_000,
      },
      {
        name: 'auth throughput (POC)',
        target: '> 1,000/s',
        measured: `${uncached.toLocaleString('en')}/s uncached`,
        pass: uncached > 1_000,
      },
    ],
  };
  await publishReport(report, [
    `# bench:auth — ${startedAt}`,
    '',
    `${report.machine.cpus} cores (${report.machine.cpuModel}), Node ${report.machine.node}; one core (single ` +
      `process); EdDSA tokens, ${ROLE_LINKS} role links over ${TENANTS} tenants, ${users.length} distinct tokens ` +
      `round-robin.`,
    '',
    markdownTable(
      ['case', 'ops/s', 'mean µs', 'p99 µs'],
      rows.map((r) => [r.name, r.opsPerSec.toLocaleString('en'), r.meanUs, r.p99Us ?? '—']),
    ),
  ]);
}

main().catch((err: Error) => {
  process.stderr.write(`bench:auth failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
