import { DomainError } from '../errors.js';

/** A request body of the data API: the bytes PostgREST receives, and what the tenant guard looks at. */
export interface DataBody {
  bytes: Buffer;
  /** JSON or form bodies: the row(s), for the guard to check their tenant column. */
  rows?: unknown;
  /** CSV bodies: the header's column names (the guard refuses one naming the tenant column). */
  columns?: string[];
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/** PostgREST's own error for a body it cannot parse, with the gateway's code beside it. */
export function invalidJson(): DomainError {
  return new DomainError('invalid', 'invalid_json', 'Empty or invalid json', {
    code: 'PGRST102',
    details: null,
    hint: null,
  });
}

/** The header line of a CSV body (RFC 4180: quoted names may hold commas and doubled quotes). */
export function csvHeader(text: string): string[] {
  const columns: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      columns.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') break;
    else field += c;
  }
  columns.push(field);
  return columns.map((c) => c.trim());
}

/**
 * Reads a data API body: empty means no body, whatever the content type claims (postgrest-js sends
 * `Content-Type: application/json` with nothing on every DELETE); JSON is parsed for the guard (a malformed one is
 * PostgREST's 400, answered here); CSV and form bodies yield their columns; anything else goes through as bytes
 * (an RPC's single unnamed argument, or a type PostgREST refuses with its own 415).
 */
export function parseDataBody(contentType: string, bytes: Buffer): DataBody | undefined {
  if (bytes.byteLength === 0) return undefined;
  if (JSON_TYPE.test(contentType)) {
    try {
      return { bytes, rows: JSON.parse(bytes.toString('utf8')) };
    } catch {
      throw invalidJson();
    }
  }
  if (/^text\/csv\b/i.test(contentType)) return { bytes, columns: csvHeader(bytes.toString('utf8')) };
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType))
    return { bytes, rows: Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))) };
  return { bytes };
}
