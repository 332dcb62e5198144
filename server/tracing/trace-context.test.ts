import { describe, expect, it } from 'vitest';
import { formatTraceparent, parseTraceparent, TraceIds } from './trace-context.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('parseTraceparent', () => {
  it('reads a W3C traceparent', () => {
    expect(parseTraceparent(`00-${TRACE}-${SPAN}-01`)).toEqual({ traceId: TRACE, parentSpanId: SPAN, flags: '01' });
  });

  it('accepts a later version with extra fields, as the spec says', () => {
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-00-extra`)?.traceId).toBe(TRACE);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['garbage', 'not a traceparent'],
    ['uppercase hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['version ff', `ff-${TRACE}-${SPAN}-01`],
    ['version 00 with extra fields', `00-${TRACE}-${SPAN}-01-x`],
    ['short trace id', `00-${TRACE.slice(1)}-${SPAN}-01`],
    ['repeated header', [`00-${TRACE}-${SPAN}-01`, `00-${TRACE}-${SPAN}-01`]],
    ['huge', `00-${TRACE}-${SPAN}-01`.padEnd(600, 'x')],
  ])('ignores a malformed header (%s)', (_name, header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('formats what it parses', () => {
    expect(formatTraceparent(TRACE, SPAN, '01')).toBe(`00-${TRACE}-${SPAN}-01`);
  });
});

describe('TraceIds', () => {
  it('gives distinct lowercase hex ids of the right length, across pool refills', () => {
    const ids = new TraceIds();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const trace = ids.traceId();
      const span = ids.spanId();
      expect(trace).toMatch(/^[0-9a-f]{32}$/);
      expect(span).toMatch(/^[0-9a-f]{16}$/);
      seen.add(trace);
    }
    expect(seen.size).toBe(1000);
  });
});
