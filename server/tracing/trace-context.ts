import { randomFillSync } from 'node:crypto';

/** A W3C Trace Context `traceparent`, as received: the trace it belongs to and the caller's span. */
export interface TraceParent {
  traceId: string;
  parentSpanId: string;
  /** The trace-flags byte, two hex digits (01: sampled). */
  flags: string;
}

// version-traceid-parentid-flags. A later version may append fields after a dash; version ff is invalid.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The incoming header read as W3C Trace Context level 1 says: anything malformed (a bad version, all-zero ids,
 * uppercase hex, version 00 with extra fields) is ignored, and a new trace starts; never an error to the caller.
 */
export function parseTraceparent(header: string | string[] | undefined): TraceParent | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentSpanId === ZERO_SPAN) return undefined;
  return { traceId: traceId!, parentSpanId: parentSpanId!, flags: flags! };
}

export const formatTraceparent = (traceId: string, spanId: string, flags: string): string =>
  `00-${traceId}-${spanId}-${flags}`;

/**
 * Random trace and span ids from a pooled buffer: one randomFillSync per 4 KB instead of one per id (the data API's
 * hot path starts a trace per request).
 */
export class TraceIds {
  private readonly pool = Buffer.alloc(4096);
  private offset = this.pool.length;

  private take(bytes: number): string {
    if (this.offset + bytes > this.pool.length) {
      randomFillSync(this.pool);
      this.offset = 0;
    }
    const id = this.pool.toString('hex', this.offset, this.offset + bytes);
    this.offset += bytes;
    // An all-zero id is invalid; with 2^-64 odds per span, take another.
    return /^0+$/.test(id) ? this.take(bytes) : id;
  }

  traceId(): string {
    return this.take(16);
  }

  spanId(): string {
    return this.take(8);
  }
}
