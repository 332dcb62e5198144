// What the trace ring holds in memory: N traces shaped like a real one (the spans of a kept /data read, fetched from
// the running gateway), in a ring of the gateway's own sizes, measured as the heap they add after a full GC.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { TraceDetailView } from '../server/api/views.js';
import { RequestTrace } from '../server/tracing/request-trace.js';
import { TraceRing } from '../server/tracing/trace-ring.js';

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** Heap bytes a full ring takes (every request kept, and the notable ring full of failed ones too). */
export function ringMemory(sample: TraceDetailView): { traces: number; bytes: number; bytesPerTrace: number } {
  const ring = new TraceRing();
  const before = heapAfterGc();
  const total = ring.capacity + ring.notableCapacity;
  for (let i = 0; i < total; i++) {
    const trace = new RequestTrace(
      i.toString(16).padStart(32, '0'),
      sample.spanId,
      undefined,
      '01',
      sample.method,
      // Each URL its own string, as real requests' are.
      `${sample.url}&n=${i}`,
    );
    trace.caller = { tenant: sample.tenant ?? '', user: `${sample.user}`.slice(0), role: sample.role ?? 'user' };
    for (const span of sample.spans)
      trace.record(span.name, span.startMs, span.durationMs, span.attributes && { ...span.attributes }, span.depth);
    // The last notableCapacity fail, so both rings are full.
    trace.finish(i >= ring.capacity ? 500 : 200, false);
    ring.push(trace);
  }
  const bytes = heapAfterGc() - before;
  if (ring.query({ limit: 1 }).length !== 1) throw new Error('the ring lost its traces');
  return { traces: total, bytes, bytesPerTrace: Math.round(bytes / total) };
}
