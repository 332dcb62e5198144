import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { DomainError } from '../errors.js';
import { DASHBOARD_CSP } from './csp.js';

export interface UiPluginOptions {
  /** The built renderer (electron-vite's out/renderer). */
  rendererDir: string;
}

/**
 * /ui: the dashboard in any browser, in the admin scope. The URL `apprun up` prints carries the admin token once; it
 * becomes an HttpOnly, SameSite=Strict cookie and the browser is redirected to a URL without it.
 */
const uiPlugin: FastifyPluginAsync<UiPluginOptions> = async (app, opts) => {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, dashboardLink: true };
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
