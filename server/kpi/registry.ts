import type { Static } from 'typebox';
import type { SuiteNameSchema } from '../api/schemas/kpi.js';

export type SuiteName = Static<typeof SuiteNameSchema>;
export type SuiteValues = Record<string, number>;

/** One KPI: what the POC asks, what apprun holds itself to, how and by which suite it is measured. */
export interface KpiDefinition {
  id: string;
  name: string;
  unit: string;
  pocTarget: string;
  target: string;
  method: string;
  suite: SuiteName;
  /** The verdict from a suite's values; undefined when they do not hold this KPI's numbers. */
  judge(v: SuiteValues): { value: number; measured: string; pass: boolean } | undefined;
}

const has = (v: SuiteValues, ...keys: string[]) => keys.every((k) => Number.isFinite(v[k]));
const r1 = (x: number) => Math.round(x * 10) / 10;

/** The registry: the single source for the KPIs screen, `apprun kpi` and the report. */
export const KPIS: readonly KpiDefinition[] = [
  {
    id: 'data-latency',
    name: 'data API p95 latency at a fixed 500 req/s',
    unit: 'ms',
    pocTarget: 'p95 < 200 ms',
    target: 'p95 and p99 within 1.5× of the reference in front of the same PostgREST, same run',
    method:
      'open loop at 500 req/s on GET /data/products from a separate process, coordinated omission corrected; the reference is nginx (one worker, keepalive) where installed, else PostgREST directly',
    suite: 'data',
    judge: (v) =>
      has(v, 'gatewayP95Ms', 'gatewayP99Ms', 'referenceP95Ms', 'referenceP99Ms')
        ? {
            value: v.gatewayP95Ms!,
            measured:
              `p95 ${v.gatewayP95Ms} / p99 ${v.gatewayP99Ms} ms (reference ${v.referenceP95Ms} / ${v.referenceP99Ms} ms, ` +
              `${r1(v.gatewayP95Ms! / Math.max(v.referenceP95Ms!, 0.01))}×)` +
              (v.gatewayOkPct !== undefined && v.gatewayOkPct < 100 ? `, only ${v.gatewayOkPct} % answered 2xx` : ''),
            pass:
              (v.gatewayOkPct ?? 100) >= 99.9 &&
              v.gatewayP95Ms! < 200 &&
              v.gatewayP95Ms! <= 1.5 * v.referenceP95Ms! &&
              v.gatewayP99Ms! <= 1.5 * v.referenceP99Ms!,
          }
        : undefined,
  },
  {
    id: 'data-throughput',
    name: 'data API throughput, gateway vs direct PostgREST',
    unit: 'req/s',
    pocTarget: '> 500 req/s',
    target: '≥ 0.85 × direct PostgREST, same run',
    method: 'closed loop, 32 connections, same token, gateway and direct interleaved, from a separate process',
    suite: 'data',
    judge: (v) =>
      has(v, 'gatewayRps', 'directRps')
        ? {
            value: v.gatewayRps!,
            measured: `${Math.round(v.gatewayRps!)} req/s (${Math.round((v.gatewayRps! / v.directRps!) * 100) / 100}× direct ${Math.round(v.directRps!)})`,
            pass: v.gatewayRps! > 500 && v.gatewayRps! >= 0.85 * v.directRps!,
          }
        : undefined,
  },
  {
    id: 'auth-throughput',
    name: 'auth throughput (token verify + RBAC), cached and uncached',
    unit: 'ops/s',
    pocTarget: '> 1,000/s',
    target: '≥ 50,000/s cached, ≥ 2,000/s uncached, one core',
    method: "the gateway's own verify + enforce path with 1,000 role links, in a separate process (tinybench)",
    suite: 'auth',
    judge: (v) =>
      has(v, 'cachedOpsPerSec', 'uncachedOpsPerSec')
        ? {
            value: v.cachedOpsPerSec!,
            measured: `${Math.round(v.cachedOpsPerSec!).toLocaleString('en')}/s cached, ${Math.round(v.uncachedOpsPerSec!).toLocaleString('en')}/s uncached`,
            pass: v.cachedOpsPerSec! >= 50_000 && v.uncachedOpsPerSec! >= 2_000,
          }
        : undefined,
  },
  {
    id: 'wasm-cold',
    name: 'WASM cold start',
    unit: 'ms',
    pocTarget: '< 100 ms',
    target: '< 10 ms',
    method: 'first invoke after upload: compile + instantiate + call, from Server-Timing',
    suite: 'wasm',
    judge: (v) =>
      has(v, 'coldMs') ? { value: v.coldMs!, measured: `${v.coldMs} ms`, pass: v.coldMs! < 10 } : undefined,
  },
  {
    id: 'wasm-hot',
    name: 'WASM hot call p99',
    unit: 'µs',
    pocTarget: '< 1 ms',
    target: 'p99 < 50 µs',
    method: 'reused instance, string in/out: the run segment of Server-Timing over repeated invokes',
    suite: 'wasm',
    judge: (v) =>
      has(v, 'hotP99Us')
        ? { value: v.hotP99Us!, measured: `p99 ${v.hotP99Us} µs (p50 ${v.hotP50Us} µs)`, pass: v.hotP99Us! < 50 }
        : undefined,
  },
  {
    id: 'memory',
    name: 'memory, whole stack + appliance, idle (awake and asleep) and under load',
    unit: 'MB',
    pocTarget: '< 1 GB',
    target: '< 1 GB under load, with the peak shown; ≤ 250 MB with the fronted services asleep',
    method:
      'every service’s PSS (process tree; a lone process’ RSS) and the core’s RSS, summed, sampled each second at idle, under the data load, and with Kratos, MinIO and Temporal put to sleep',
    suite: 'resources',
    judge: (v) =>
      has(v, 'idleMemoryMb', 'loadedMemoryMb', 'peakMemoryMb')
        ? {
            value: v.peakMemoryMb!,
            measured:
              `idle ${v.idleMemoryMb} MB awake` +
              `${has(v, 'asleepMemoryMb') ? `, ${v.asleepMemoryMb} MB asleep` : ''}, under load ${v.loadedMemoryMb} MB, ` +
              `peak ${v.peakMemoryMb} MB`,
            pass: v.peakMemoryMb! < 1024 && (!has(v, 'asleepMemoryMb') || v.asleepMemoryMb! <= 250),
          }
        : undefined,
  },
  {
    id: 'cpu',
    name: 'CPU, idle and under load (share of the machine)',
    unit: '%',
    pocTarget: '< 50 %',
    target: '< 50 % at idle, reported under load',
    method: 'every service’s and the core’s CPU time per second, summed, over the machine’s cores',
    suite: 'resources',
    judge: (v) =>
      has(v, 'idleCpuPct', 'loadedCpuPct')
        ? {
            value: v.idleCpuPct!,
            measured: `idle ${v.idleCpuPct} %, under load ${v.loadedCpuPct} %`,
            pass: v.idleCpuPct! < 50,
          }
        : undefined,
  },
  {
    id: 'start',
    name: 'stack start to all-healthy, cold and warm',
    unit: 's',
    pocTarget: '< 3 min',
    target: '< 30 s cold, < 10 s warm',
    method:
      'the core’s own starts, from start() until every health check passes and the gateway listens (cold: a new app home)',
    suite: 'start',
    judge: (v) => {
      if (!has(v, 'warmS') && !has(v, 'coldS')) return undefined;
      const parts = [
        has(v, 'coldS') ? `cold ${v.coldS} s` : 'cold: none recorded',
        has(v, 'warmS') ? `warm ${v.warmS} s` : 'warm: none recorded',
      ];
      return {
        value: v.warmS ?? v.coldS!,
        measured: parts.join(', '),
        pass: (!has(v, 'coldS') || v.coldS! < 30) && (!has(v, 'warmS') || v.warmS! < 10),
      };
    },
  },
  {
    id: 'isolation',
    name: 'tenant isolation: attack matrix',
    unit: '% blocked',
    pocTarget: '100 %',
    target: '100 % blocked, cases listed',
    method:
      'cross-tenant reads and writes through the gateway and straight at PostgREST, storage, functions, workflows',
    suite: 'isolation',
    judge: (v) =>
      has(v, 'blocked', 'cases')
        ? {
            value: (v.blocked! / v.cases!) * 100,
            measured: `${v.blocked} of ${v.cases} blocked`,
            pass: v.blocked === v.cases && v.cases! > 0,
          }
        : undefined,
  },
  {
    id: 'rbac',
    name: 'RBAC: role × action matrix',
    unit: 'cases',
    pocTarget: 'works',
    target: 'every expectation holds, cases listed',
    method: 'each seeded role tries each action in its tenant through the gateway',
    suite: 'rbac',
    judge: (v) =>
      has(v, 'held', 'cases')
        ? { value: v.held!, measured: `${v.held} of ${v.cases} hold`, pass: v.held === v.cases && v.cases! > 0 }
        : undefined,
  },
  {
    id: 'workflow-retry',
    name: 'workflow retry with injected failures',
    unit: 'attempts',
    pocTarget: 'automatic',
    target: 'completes after N retries, timeline recorded',
    method: 'a registration workflow whose first activity fails twice: it must complete, with every attempt recorded',
    suite: 'workflow',
    judge: (v) =>
      has(v, 'completed', 'attempts')
        ? {
            value: v.attempts!,
            measured: `${v.completed ? 'completed' : 'did not complete'} after ${v.attempts} attempts (${v.failuresInjected} failures injected) in ${v.durationS} s`,
            pass: v.completed === 1 && v.attempts! === v.failuresInjected! + 1,
          }
        : undefined,
  },
  {
    id: 'overload-fairness',
    name: 'another tenant during one tenant’s 2× flood',
    unit: 'ms',
    pocTarget: '(not in the POC)',
    target:
      'every request answered; the quiet tenant’s p95 within 5× its unloaded p95 (or under 50 ms); no 5xx but 503',
    method:
      'one tenant floods GET /data/products open loop at 2× the measured capacity from a separate process, another reads at 20 req/s',
    suite: 'overload',
    judge: (v) =>
      has(v, 'quietP95Ms', 'unloadedQuietP95Ms', 'unanswered', 'otherErrors')
        ? {
            value: v.quietP95Ms!,
            measured: `quiet p95 ${v.quietP95Ms} ms (alone ${v.unloadedQuietP95Ms} ms), ${v.quietOk}/${v.quietSent} ok, ${v.unanswered} unanswered, flood goodput ${v.goodput2x}/s`,
            pass:
              v.unanswered === 0 &&
              v.otherErrors === 0 &&
              v.quietOk === v.quietSent &&
              v.quietP95Ms! < Math.max(50, 5 * v.unloadedQuietP95Ms!),
          }
        : undefined,
  },
  {
    id: 'overload-liveness',
    name: '/healthz and memory through the floods',
    unit: 'ms',
    pocTarget: '(not in the POC)',
    target: '/healthz never misses (max < 1 s); the core’s memory back within 50 MB within a minute',
    method: '/healthz probed twice a second during every flood round; the core’s RSS before and after',
    suite: 'overload',
    judge: (v) =>
      has(v, 'healthzMaxMs', 'healthzMissed', 'rssBaselineMb', 'rssBackMb')
        ? {
            value: v.healthzMaxMs!,
            measured: `/healthz max ${v.healthzMaxMs} ms, ${v.healthzMissed} missed; core RSS ${v.rssBaselineMb} → ${v.rssBackMb} MB`,
            pass: v.healthzMissed === 0 && v.healthzMaxMs! < 1000 && v.rssBackMb! - v.rssBaselineMb! < 50,
          }
        : undefined,
  },
];

/** A measurement older than this is stale: the machine, the stack or the code may have changed since. */
export const STALE_AFTER_MS = 7 * 24 * 3600_000;
