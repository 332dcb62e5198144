import { runClosedLoop, runLoad } from '../../load/load-runner.js';
import { nginxBinary, startNginx } from '../../load/nginx.js';
import { median } from '../../load/stats.js';
import { checkAborted, FIXTURE_READ, type Suite, type SuiteContext } from './suite.js';

const RATE = 500;
const SECONDS = { quick: 5, full: 15 } as const;
const ROUNDS = { quick: 1, full: 3 } as const;

/**
 * The data API: latency at a fixed 500 req/s (open loop) through the gateway and through the reference in front of
 * the same PostgREST (nginx where installed, else PostgREST directly), and throughput (closed loop, 32
 * connections) of the gateway against PostgREST directly; the paths interleaved round by round, medians reported.
 */
export const dataSuite: Suite = {
  name: 'data',
  deadlineMs: { quick: 60_000, full: 300_000 },
  async run(ctx: SuiteContext) {
    const seconds = SECONDS[ctx.profile];
    const rounds = ROUNDS[ctx.profile];
    const headers = { authorization: `Bearer ${await ctx.token(ctx.people().admin)}`, ...FIXTURE_READ };
    const nginx = nginxBinary() ? await startNginx(await ctx.freePort(), ctx.postgrestPort) : undefined;
    try {
      const paths = {
        gateway: `${ctx.gatewayUrl}/data/products?select=name,price`,
        reference: nginx
          ? `${nginx.url}/data/products?select=name,price`
          : `${ctx.postgrestUrl}/products?select=name,price`,
        direct: `${ctx.postgrestUrl}/products?select=name,price`,
      };
      const p95: Record<'gateway' | 'reference', number[]> = { gateway: [], reference: [] };
      const p99: Record<'gateway' | 'reference', number[]> = { gateway: [], reference: [] };
      const okShare: Record<'gateway' | 'reference', number[]> = { gateway: [], reference: [] };
      const rps: Record<'gateway' | 'direct', number[]> = { gateway: [], direct: [] };
      const steps = rounds * 4 + 1;
      let step = 0;
      // A second per path first, so the first measured round does not pay for cold connections and caches; its
      // samples are a stream apart ("… warm-up") and never enter a percentile.
      ctx.progress(`warm-up: a second per path at ${RATE} req/s (not counted)`, step++ / steps);
      for (const name of ['reference', 'gateway'] as const)
        await runLoad([{ name, url: paths[name], rate: RATE, seconds: 1, headers }], (t) =>
          ctx.sample({ stream: `${name} warm-up`, rps: t.ok, p50Ms: t.p50Ms, p99Ms: t.p99Ms }),
        );
      for (let round = 1; round <= rounds; round++) {
        for (const name of ['reference', 'gateway'] as const) {
          checkAborted(ctx.signal);
          ctx.progress(`round ${round}/${rounds}: ${name} at ${RATE} req/s for ${seconds} s`, step++ / steps);
          const [r] = await runLoad([{ name, url: paths[name], rate: RATE, seconds, headers }], (t) =>
            ctx.sample({ stream: `${name} @${RATE}/s`, rps: t.ok, p50Ms: t.p50Ms, p99Ms: t.p99Ms }),
          );
          // Refusals (503 under overload) are part of the measurement; a path that mostly fails is broken, not slow.
          if (r!.ok.count < r!.sent * 0.5)
            throw new Error(
              `${name}: only ${r!.ok.count} of ${r!.sent} requests succeeded (${JSON.stringify(r!.statuses)})`,
            );
          okShare[name].push(r!.ok.count / r!.sent);
          p95[name].push(r!.p95Ms);
          p99[name].push(r!.p99Ms);
        }
        for (const name of ['direct', 'gateway'] as const) {
          checkAborted(ctx.signal);
          ctx.progress(`round ${round}/${rounds}: ${name} throughput, 32 connections, ${seconds} s`, step++ / steps);
          const r = await runClosedLoop(paths[name], { connections: 32, seconds, headers });
          if (r.errors || r.non2xx)
            throw new Error(`${name}: ${r.errors} errors and ${r.non2xx} non-2xx answers under load`);
          rps[name].push(r.rps);
          ctx.sample({ stream: `${name} closed loop`, rps: r.rps, p50Ms: r.p50Ms, p99Ms: r.p99Ms });
        }
      }
      return {
        values: {
          gatewayP95Ms: median(p95.gateway),
          gatewayP99Ms: median(p99.gateway),
          referenceP95Ms: median(p95.reference),
          referenceP99Ms: median(p99.reference),
          referenceIsNginx: nginx ? 1 : 0,
          gatewayOkPct: Math.round(Math.min(...okShare.gateway) * 1000) / 10,
          referenceOkPct: Math.round(Math.min(...okShare.reference) * 1000) / 10,
          gatewayRps: Math.round(median(rps.gateway)),
          directRps: Math.round(median(rps.direct)),
        },
      };
    } finally {
      await nginx?.stop();
    }
  },
};
