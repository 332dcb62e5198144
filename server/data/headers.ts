import type { IncomingHttpHeaders } from 'node:http';

/**
 * Request headers PostgREST gives meaning to, forwarded as the client sent them. The schema headers are safe to
 * pass: PostgREST itself only serves the schemas it is configured with (`api`), answering 406 for any other, and the
 * role always comes from the signed token. Cookies, hop-by-hop and gateway headers stay at the gateway.
 */
export const FORWARDED_REQUEST_HEADERS = [
  'authorization',
  'accept',
  'accept-profile',
  'content-profile',
  'content-type',
  'prefer',
  'range',
  'range-unit',
] as const;

/** Response headers a PostgREST client reads; Warp's Date/Server and connection headers stay behind. */
export const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'content-range',
  'content-profile',
  'preference-applied',
  'location',
  'proxy-status',
] as const;

export function forwardedRequestHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = incoming[name];
    // Node joins repeated headers with ", " (Prefer: a, Prefer: b → "a, b"), which is how PostgREST reads them too.
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}
