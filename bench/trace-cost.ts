// What tracing costs per request, in µs of CPU: the tracer's own work measured in a loop (a trace begun on a real
// node:http request/response pair, the fast lane's spans, its Server-Timing, finished into the ring), and the median
// duration of each span the gateway recorded for real requests (the hops' own cost, which tracing only measures).
import http from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ApprunApi } from '../server/api/views.js';
import { TraceRing } from '../server/tracing/trace-ring.js';
import { Tracer, traceHeaders } from '../server/tracing/tracer.js';
import { median } from './report.js';

function loop(n: number, traced: boolean): number {
  const tracer = new Tracer(new TraceRing(), traced);
  const socket = new Socket();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const req = new http.IncomingMessage(socket);
    req.url = '/data/products?select=name,price';
    req.method = 'GET';
    const res = new http.ServerResponse(req);
    const trace = tracer.begin(req, res);
    if (trace) {
      const a = trace.now();
      trace.record('host', a, 0.001);
      trace.record('token', a, 0.001, { cached: true });
      trace.record('rbac', a, 0.001, { rule: 'p, user, t, /data/*, GET' });
      trace.end('gate', a, { upstream: 'postgrest' });
      trace.end('postgrest', a, { status: 200 });
      for (const phase of ['jwt', 'parse', 'plan', 'transaction', 'response'])
        trace.record(phase, a, 0.01, undefined, 2);
      traceHeaders(trace, {});
    }
    res.emit('close');
  }
  return ((performance.now() - t0) * 1000) / n;
}

/** µs per request of the tracer's own work: traced minus untraced, medians of interleaved loops. */
export function tracerCostMicros(n = 50_000, rounds = 5): { traced: number; untraced: number; cost: number } {
  loop(n, true); // warm-up (JIT)
  loop(n, false);
  const traced: number[] = [];
  const untraced: number[] = [];
  for (let r = 0; r < rounds; r++) {
    traced.push(loop(n, true));
    untraced.push(loop(n, false));
  }
  const t = median(traced);
  const u = median(untraced);
  return {
    traced: Math.round(t * 100) / 100,
    untraced: Math.round(u * 100) / 100,
    cost: Math.round((t - u) * 100) / 100,
  };
}

/** The median duration (µs) of each span over the last kept /data/products reads of the running gateway. */
export async function spanMedians(api: ApprunApi, samples = 300): Promise<Record<string, number>> {
  const { traces } = await api.traces({ path: '/data/products', status: '200', limit: samples });
  const byName = new Map<string, number[]>();
  for (const summary of traces) {
    const detail = await api.trace(summary.traceId).catch(() => undefined);
    for (const span of detail?.spans ?? []) byName.set(span.name, [...(byName.get(span.name) ?? []), span.durationMs]);
    byName.set('(whole request)', [...(byName.get('(whole request)') ?? []), summary.durationMs]);
  }
  return Object.fromEntries([...byName].map(([name, ms]) => [name, Math.round(median(ms) * 1000)]));
}
