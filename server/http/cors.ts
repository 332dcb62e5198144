import fastifyCors from '@fastify/cors';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { HostPolicy } from './host-policy.js';

export interface CorsOptions {
  policy: HostPolicy;
}

/** What a browser app may read of an answer besides the CORS-safelisted headers (postgrest-js reads Content-Range). */
const EXPOSED = [
  'content-range',
  'content-profile',
  'location',
  'preference-applied',
  'range-unit',
  'server-timing',
  'retry-after',
  'www-authenticate',
];

/** The control API and the dashboard answer no other origin: they are for the dashboard and the CLI. */
const ADMIN_PATH = /^\/(api|ui)(\/|\?|$)/;

/**
 * Browser apps of the developer's call the gateway from their own dev server: a loopback origin on any port (Vite on
 * localhost:5173) or an origin the project's config lists. Those get CORS answers, preflights included, with
 * credentials; every other origin gets none (and its writes stay refused by the host guard). Registered after the host
 * guard and before the token check, so a preflight (which carries no token) is answered.
 */
const cors: FastifyPluginAsync<CorsOptions> = async (app, { policy }) => {
  // The plugin's catch-all OPTIONS route answers what is not a preflight as not found: it needs no token to say so.
  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' && route.url === '*') route.config = { ...route.config, access: 'public' };
  });
  await app.register(fastifyCors, {
    delegator: (request, callback) => {
      const origin = request.headers.origin;
      const allowed = origin !== undefined && !ADMIN_PATH.test(request.url) && policy.trustsOrigin(origin);
      callback(null, {
        origin: allowed ? origin : false,
        credentials: true,
        methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
        exposedHeaders: EXPOSED,
        maxAge: 600,
        strictPreflight: false,
      });
    },
  });
};

export default fp(cors, { name: 'apprun-cors' });
