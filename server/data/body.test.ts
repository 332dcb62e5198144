import { describe, expect, it } from 'vitest';
import { csvHeader, parseDataBody } from './body.js';

describe('data API bodies', () => {
  it('treats an empty body as no body, whatever the content type says', () => {
    expect(parseDataBody('application/json', Buffer.alloc(0))).toBeUndefined();
    expect(parseDataBody('text/csv', Buffer.alloc(0))).toBeUndefined();
  });

  it('keeps the bytes as sent and parses JSON only for the guard', () => {
    const bytes = Buffer.from('{"id": 9007199254740993, "b": 1, "a": 2}');
    const body = parseDataBody('application/json; charset=utf-8', bytes)!;
    expect(body.bytes).toBe(bytes);
    expect(body.rows).toMatchObject({ b: 1, a: 2 });
    expect(parseDataBody('application/vnd.pgrst.object+json', Buffer.from('[1]'))!.rows).toEqual([1]);
  });

  it('answers malformed JSON as PostgREST does', () => {
    expect(() => parseDataBody('application/json', Buffer.from('{"a":'))).toThrow(
      expect.objectContaining({
        statusCode: 400,
        code: 'invalid_json',
        details: { code: 'PGRST102', details: null, hint: null },
      }),
    );
  });

  it('reads the columns of a CSV header and the fields of a form', () => {
    expect(csvHeader('name,"odd, ""quoted""",price\r\nx,y,1')).toEqual(['name', 'odd, "quoted"', 'price']);
    expect(parseDataBody('text/csv', Buffer.from('name,tenant_id\nx,y'))!.columns).toEqual(['name', 'tenant_id']);
    expect(parseDataBody('application/x-www-form-urlencoded', Buffer.from('name=x&tenant_id=y'))!.rows).toEqual({
      name: 'x',
      tenant_id: 'y',
    });
    expect(parseDataBody('text/plain', Buffer.from('hello'))).toEqual({ bytes: Buffer.from('hello') });
  });
});
