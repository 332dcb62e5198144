import { runClosedLoop, runLoad, type StreamResult } from '../../load/load-runner.js';
import { checkAborted, FIXTURE_READ, type Suite, type SuiteContext } from './suite.js';

const QUIET_RATE = 20;
const HEALTHZ_RATE = 2;
const PLAN = { quick: { seconds: 6, multiples: [2] }, full: { seconds: 15, multiples: [1, 2, 4] } } as const;

export interface OverloadRound {
  multiple: number;
  offered: number;
  flood: StreamResult;
  quiet: StreamResult;
  healthz: StreamResult;
  rssBeforeMb: number;
  rssAfterMb: number;
}

export interface OverloadMeasurement {
  capacity: number;
  seconds: number;
  unloaded: StreamResult;
  rounds: OverloadRound[];
  recovery: { baselineMb: number; lowestMb: number; afterSeconds: number };
}

const MB = 2 ** 20;
/** How many of a stream's answers had a status that passes test. */
export const count = (r: StreamResult, test: (status: number) => boolean) =>
  Object.entries(r.statuses).reduce((n, [s, c]) => n + (test(Number(s)) ? c : 0), 0);

/**
 * One tenant (Free) floods GET /data/products open loop at multiples of the measured capacity, from a separate
 * process, while another (Pro) reads at 20 req/s and /healthz is probed twice a second; then the core's memory is
 * watched for a minute at most until it is back near where it started. Shared by the KPI center and
 * npm run bench:overload.
 */
export async function measureOverload(
  ctx: SuiteContext,
  plan: { seconds: number; multiples: readonly number[] },
): Promise<OverloadMeasurement> {
  const [flooder, quiet] = [await ctx.token(ctx.people().admin), await ctx.token(ctx.people().otherAdmin)];
  const data = `${ctx.gatewayUrl}/data/products?select=name,price`;
  const auth = (token: string) => ({ authorization: `Bearer ${token}`, ...FIXTURE_READ });
  const rssMb = () => Math.round(ctx.coreRssBytes() / MB);
  ctx.progress('measuring capacity (closed loop, 32 connections)', 0);
  await runClosedLoop(data, { connections: 8, seconds: 2, headers: auth(flooder) }); // warm-up
  const capacity = Math.round((await runClosedLoop(data, { connections: 32, seconds: 5, headers: auth(flooder) })).rps);
  ctx.progress(`the quiet tenant alone at ${QUIET_RATE} req/s`, 0.1);
  const [unloaded] = await runLoad([{ name: 'quiet', url: data, rate: QUIET_RATE, seconds: 5, headers: auth(quiet) }]);
  const rounds: OverloadRound[] = [];
  for (const [i, multiple] of plan.multiples.entries()) {
    checkAborted(ctx.signal);
    const offered = Math.round(capacity * multiple);
    ctx.progress(
      `${multiple}× flood (${offered} req/s) for ${plan.seconds} s`,
      0.15 + (0.75 * i) / plan.multiples.length,
    );
    const rssBeforeMb = rssMb();
    const [flood, quietRun, healthz] = await runLoad(
      [
        { name: 'flood', url: data, rate: offered, seconds: plan.seconds, headers: auth(flooder), connections: 512 },
        { name: 'quiet', url: data, rate: QUIET_RATE, seconds: plan.seconds, headers: auth(quiet) },
        { name: 'healthz', url: `${ctx.gatewayUrl}/healthz`, rate: HEALTHZ_RATE, seconds: plan.seconds },
      ],
      (t) => ctx.sample({ stream: `${t.name} @${multiple}×`, rps: t.ok, p50Ms: t.p50Ms, p99Ms: t.p99Ms }),
    );
    rounds.push({
      multiple,
      offered,
      flood: flood!,
      quiet: quietRun!,
      healthz: healthz!,
      rssBeforeMb,
      rssAfterMb: rssMb(),
    });
    await new Promise((r) => setTimeout(r, 3000)); // the queues drain and the next round starts from quiet
  }
  // V8 gives back the heap a flood grew only when its memory reducer runs (measured: seconds to a minute after the
  // allocation rate drops), so "comes back" is judged over a bounded minute.
  ctx.progress("waiting for the core's memory to come back", 0.92);
  const baselineMb = rounds[0]!.rssBeforeMb;
  const recovery = { baselineMb, lowestMb: rssMb(), afterSeconds: 0 };
  for (let s = 0; s < 60 && recovery.lowestMb - baselineMb >= 50; s += 2) {
    checkAborted(ctx.signal);
    await new Promise((r) => setTimeout(r, 2000));
    recovery.lowestMb = Math.min(recovery.lowestMb, rssMb());
    recovery.afterSeconds = s + 2;
  }
  return { capacity, seconds: plan.seconds, unloaded: unloaded!, rounds, recovery };
}

/** The KPI center's overload suite: the 2× round (and 1×, 4× in the full profile) as KPI values. */
export const overloadSuite: Suite = {
  name: 'overload',
  deadlineMs: { quick: 150_000, full: 300_000 },
  async run(ctx) {
    const m = await measureOverload(ctx, PLAN[ctx.profile]);
    const twice = m.rounds.find((r) => r.multiple === 2)!;
    const values: Record<string, number> = {
      capacity: m.capacity,
      unloadedQuietP95Ms: m.unloaded.p95Ms,
      quietP95Ms: twice.quiet.p95Ms,
      quietOk: twice.quiet.ok.count,
      quietSent: twice.quiet.sent,
      unanswered: m.rounds.reduce(
        (n, r) => n + r.flood.timeouts + r.flood.errors + r.quiet.timeouts + r.healthz.timeouts,
        0,
      ),
      otherErrors: m.rounds.reduce(
        (n, r) => n + count(r.flood, (s) => s >= 500 && s !== 503) + count(r.quiet, (s) => s >= 400),
        0,
      ),
      healthzMaxMs: Math.max(...m.rounds.map((r) => r.healthz.maxMs)),
      healthzMissed: m.rounds.reduce((n, r) => n + r.healthz.sent - r.healthz.ok.count, 0),
      rssBaselineMb: m.recovery.baselineMb,
      rssBackMb: m.recovery.lowestMb,
    };
    for (const r of m.rounds) {
      values[`goodput${r.multiple}x`] = r.flood.goodputPerSecond;
      values[`refused${r.multiple}x`] = count(r.flood, (s) => s === 429 || s === 503);
    }
    return {
      values,
      timeline: m.rounds.map(
        (r) =>
          `${r.multiple}× (${r.offered}/s): flood goodput ${r.flood.goodputPerSecond}/s, refused ${count(r.flood, (s) => s === 429 || s === 503)} of ${r.flood.sent}; ` +
          `quiet p50/p95/p99 ${r.quiet.p50Ms}/${r.quiet.p95Ms}/${r.quiet.p99Ms} ms; /healthz max ${r.healthz.maxMs} ms; core RSS ${r.rssBeforeMb} → ${r.rssAfterMb} MB`,
      ),
    };
  },
};
