import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../errors.js';
import { crossSiteRefused } from '../http/host-guard.js';
import { ADMIN_COOKIE, sameToken } from '../stack-api/admin-token.js';
import { DASHBOARD_CSP } from './csp.js';

export interface UiPluginOptions {
  adminToken: string;
  /** The built renderer (electron-vite's out/renderer). */
  rendererDir: string;
}

/**
 * /ui: the dashboard in any browser, guarded by the admin token. The URL `apprun up` prints carries the token once;
 * it becomes an HttpOnly, SameSite=Strict cookie and the browser is redirected to a URL without it (as Jupyter does).
 */
const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, opts) => {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'admin-token' };
  });
  app.addHook('onRequest', async (request, reply) => {
    const { token } = request.query as { token?: string };
    if (token !== undefined) {
      if (!sameToken(token, opts.adminToken))
        throw new DomainError(
          'unauthenticated',
          'admin_token_required',
          'that dashboard link carries a wrong or stale token; use the one `apprun up` printed',
        );
      reply.setCookie(ADMIN_COOKIE, opts.adminToken, { httpOnly: true, sameSite: 'strict', path: '/' });
      return reply.redirect('/ui/', 303);
    }
    if (!sameToken(request.cookies[ADMIN_COOKIE], opts.adminToken)) {
      throw new DomainError(
        'unauthenticated',
        'admin_token_required',
        'open the dashboard through the URL `apprun up` printed (it carries the admin token)',
      );
    }
    if (request.crossSite) throw crossSiteRefused(request, 'the dashboard cookie is not accepted from another site');
  });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', DASHBOARD_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  if (!fs.existsSync(path.join(opts.rendererDir, 'index.html'))) {
    app.get('/ui/*', async () => {
      throw new DomainError('unavailable', 'dashboard_not_built', 'the dashboard is not built: run `npm run build`');
    });
    return;
  }
  await app.register(fastifyStatic, { root: opts.rendererDir, prefix: '/ui/', index: 'index.html', redirect: true });
};

export default uiPlugin;
