import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../errors.js';
import { crossSiteRefused } from '../http/host-guard.js';

/** The dashboard's cookie: set once from /ui/?token=…, HttpOnly and SameSite=Strict. */
export const ADMIN_COOKIE = 'apprun_admin';
/** Writes authenticated by the cookie must carry this header too; a cross-site form cannot set it (CSRF). */
export const UI_HEADER = 'x-apprun-ui';

export function sameToken(given: unknown, expected: string): boolean {
  const a = Buffer.from(typeof given === 'string' ? given : '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The control API is not for every local process: callers present the per-run admin token (printed by
 * `apprun up`, handed to the desktop UI) in x-apprun-admin-token, as a bearer token, or as the dashboard's cookie.
 */
export function adminTokenHook(adminToken: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-apprun-admin-token'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (sameToken(header, adminToken)) return;
    if (sameToken(request.cookies?.[ADMIN_COOKIE], adminToken)) {
      // A cookie rides along on any request the browser makes, so even a read must come from a loopback page.
      if (request.crossSite) throw crossSiteRefused(request, 'the dashboard cookie is not accepted from another site');
      if (request.method === 'GET' || request.headers[UI_HEADER] === '1') return;
      throw new DomainError(
        'forbidden',
        'ui_header_required',
        `requests authenticated by the dashboard cookie must send ${UI_HEADER}: 1`,
      );
    }
    throw new DomainError(
      'unauthenticated',
      'admin_token_required',
      'this control API needs the admin token printed by `apprun up` (x-apprun-admin-token header)',
    );
  };
}
