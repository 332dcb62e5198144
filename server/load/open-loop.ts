// An open-loop, constant-rate load generator on undici: requests leave on a fixed schedule whatever the answers do,
// and each one's latency counts from when it was due, not when it was sent, so a server that stalls is charged for
// the requests it kept waiting (coordinated omission corrected, as wrk2 and vegeta do). No maintained Node generator
// does this (autocannon's rate limit is closed-loop per connection), and a Go binary would be one more thing every
// machine running the KPI center must provision.
//
// Run it as its own process (open-loop-process.ts), so the load never shares an event loop with what it measures.
import * as hdr from 'hdr-histogram-js';
import { Pool } from 'undici';

export interface StreamSpec {
  /** A name for the report: "flood", "quiet", "healthz". */
  name: string;
  url: string;
  method?: 'GET' | 'POST' | 'HEAD';
  headers?: Record<string, string>;
  body?: string;
  /** Requests per second, on a fixed schedule. */
  rate: number;
  seconds: number;
  /** A request still unanswered after this counts as a timeout. */
  timeoutMs?: number;
  /** Connections the stream may open (requests beyond them wait in undici's queue, their latency running). */
  connections?: number;
}

export interface StreamResult {
  name: string;
  rate: number;
  seconds: number;
  sent: number;
  /** Answers by status; 0 = no answer (timeout, refused connection). */
  statuses: Record<string, number>;
  /** Answered (any status) within the timeout. */
  answered: number;
  timeouts: number;
  errors: number;
  /** Latency of every request from when it was due, answered or not (timeouts count as the timeout). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The same, for 2xx answers only. */
  ok: { count: number; p50Ms: number; p95Ms: number; p99Ms: number };
  /** Answers per second that were 2xx (goodput). */
  goodputPerSecond: number;
}

/** One second of a stream, for live charts. */
export interface StreamTick {
  name: string;
  second: number;
  sent: number;
  answered: number;
  ok: number;
  p50Ms: number;
  p99Ms: number;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?\//;
const histogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
const ms = (h: hdr.Histogram, p: number) => Math.round((h.getValueAtPercentile(p) / 1000) * 100) / 100;

/** Runs one stream to its end (its schedule, then the last answers or their timeouts). */
export async function runStream(spec: StreamSpec, onTick?: (tick: StreamTick) => void): Promise<StreamResult> {
  if (!LOOPBACK.test(spec.url)) throw new Error(`load only targets loopback, not ${spec.url}`);
  if (!(spec.rate > 0 && spec.rate <= 20_000) || !(spec.seconds > 0 && spec.seconds <= 600)) {
    throw new Error(
      `a stream is bounded: rate 0 < r ≤ 20000 per second, 0 < seconds ≤ 600 (got ${spec.rate}, ${spec.seconds})`,
    );
  }
  const url = new URL(spec.url);
  const timeoutMs = spec.timeoutMs ?? 10_000;
  const pool = new Pool(url.origin, {
    connections: spec.connections ?? 256,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const all = histogram();
  const okLatency = histogram();
  const statuses: Record<string, number> = {};
  let answered = 0;
  let timeouts = 0;
  let errors = 0;
  const total = Math.round(spec.rate * spec.seconds);
  const interval = 1000 / spec.rate;
  const pending: Promise<void>[] = [];
  let second = { sent: 0, answered: 0, ok: 0, h: histogram() };
  const t0 = performance.now();

  const fire = (due: number) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const done = pool
      .request({
        method: spec.method ?? 'GET',
        path: url.pathname + url.search,
        headers: spec.headers,
        body: spec.body,
        signal,
      })
      .then(async (res) => {
        await res.body.dump();
        return res.statusCode;
      })
      .catch((err: Error) => (signal.aborted || err.name === 'AbortError' || /timeout/i.test(err.message) ? -1 : 0))
      .then((status) => {
        const latency = Math.min(performance.now() - due, timeoutMs);
        const micros = Math.max(1, Math.round(latency * 1000));
        all.recordValue(micros);
        second.h.recordValue(micros);
        if (status === -1) timeouts++;
        else if (status === 0) errors++;
        else {
          answered++;
          second.answered++;
          if (status >= 200 && status < 300) {
            okLatency.recordValue(micros);
            second.ok++;
          }
        }
        const key = String(Math.max(status, 0));
        statuses[key] = (statuses[key] ?? 0) + 1;
      });
    pending.push(done);
  };

  // Every tick fires whatever is due: timers are coarser than the spacing at high rates.
  let next = 0;
  let tickSecond = 0;
  const emitSecond = () => {
    onTick?.({
      name: spec.name,
      second: tickSecond,
      sent: second.sent,
      answered: second.answered,
      ok: second.ok,
      p50Ms: ms(second.h, 50),
      p99Ms: ms(second.h, 99),
    });
    second = { sent: 0, answered: 0, ok: 0, h: histogram() };
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        fire(t0 + next * interval);
        next++;
        second.sent++;
      }
      const elapsed = Math.floor((now - t0) / 1000);
      if (elapsed > tickSecond) {
        emitSecond();
        tickSecond = elapsed;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(1, t0 + next * interval - performance.now())));
    };
    tick();
  });
  await Promise.all(pending);
  // The last second too (sent in full before its end, answered by now): a run of one second is one tick.
  if (second.sent) emitSecond();
  await pool.close();
  return {
    name: spec.name,
    rate: spec.rate,
    seconds: spec.seconds,
    sent: total,
    statuses,
    answered,
    timeouts,
    errors,
    p50Ms: ms(all, 50),
    p95Ms: ms(all, 95),
    p99Ms: ms(all, 99),
    maxMs: Math.round(all.maxValue / 10) / 100,
    ok: { count: okLatency.totalCount, p50Ms: ms(okLatency, 50), p95Ms: ms(okLatency, 95), p99Ms: ms(okLatency, 99) },
    goodputPerSecond: Math.round(okLatency.totalCount / spec.seconds),
  };
}
