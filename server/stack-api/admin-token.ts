import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../auth/plugin.js';
import { DomainError } from '../errors.js';
import { crossSiteRefused } from '../http/host-guard.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * An admin route a browser opens by the link `apprun up` prints (the dashboard): `?token=` is accepted once, turned
     * into the dashboard's cookie, and the browser is sent to the same path without it (as Jupyter does).
     */
    dashboardLink?: boolean;
  }
}

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
 * The one check of the admin scope (the control API and the dashboard): callers present the per-run admin token
 * (printed by `apprun up`, handed to the desktop UI) in x-apprun-admin-token, as a bearer token, or as the dashboard's
 * cookie; a dashboard route also takes it once from its link.
 */
export function adminTokenHook(adminToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = request.headers['x-apprun-admin-token'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (sameToken(header, adminToken)) return;
    const dashboard = request.routeOptions.config.dashboardLink === true;
    const { token } = (request.query ?? {}) as { token?: unknown };
    if (dashboard && token !== undefined) {
      if (!sameToken(token, adminToken))
        throw new DomainError(
          'unauthenticated',
          'admin_token_required',
          'that dashboard link carries a wrong or stale token; use the one `apprun up` printed',
        );
      reply.setCookie(ADMIN_COOKIE, adminToken, { httpOnly: true, sameSite: 'strict', path: '/' });
      return reply.redirect(pathOf(request), 303);
    }
    if (sameToken(request.cookies?.[ADMIN_COOKIE], adminToken)) {
      // A cookie rides along on any request the browser makes, so even a read must come from a loopback page.
      if (request.crossSite) throw crossSiteRefused(request, 'the dashboard cookie is not accepted from another site');
      if (request.method === 'GET' || request.method === 'HEAD' || request.headers[UI_HEADER] === '1') return;
      throw new DomainError(
        'forbidden',
        'ui_header_required',
        `requests authenticated by the dashboard cookie must send ${UI_HEADER}: 1`,
      );
    }
    throw new DomainError(
      'unauthenticated',
      'admin_token_required',
      dashboard
        ? 'open the dashboard through the URL `apprun up` printed (it carries the admin token)'
        : 'this control API needs the admin token printed by `apprun up` (x-apprun-admin-token header)',
    );
  };
}
