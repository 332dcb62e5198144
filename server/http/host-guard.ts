import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../errors.js';
import { traceOf } from '../tracing/tracer.js';
import type { HostPolicy } from './host-policy.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Sent by a page of another site (its Origin, else its Sec-Fetch-Site, says so); set by the host guard. */
    crossSite: boolean;
  }
}

export interface HostGuardOptions {
  policy: HostPolicy;
}

/** Methods that change nothing; everything else is a write. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Sec-Fetch-Site values of a request this site made or the user typed; any other value counts as cross-site. */
const SAME_SITE_FETCH = new Set(['same-origin', 'same-site', 'none']);

const shown = (value: string | undefined) =>
  value === undefined ? '(none)' : JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

function originOf(request: FastifyRequest): string {
  const { origin } = request.headers;
  return origin !== undefined
    ? `Origin ${shown(origin)}`
    : `Sec-Fetch-Site ${shown(String(request.headers['sec-fetch-site']))}`;
}

/** The refusal of a cross-site request, for the guard and for the cookie-authenticated routes. */
export function crossSiteRefused(request: FastifyRequest, why: string): DomainError {
  return new DomainError(
    'forbidden',
    'cross_origin_refused',
    `${why}: ${originOf(request)} is neither a loopback origin nor an allowed host`,
  );
}

/**
 * Runs first on every route, 404s included, before any credential is looked at. A Host that is not this gateway's is
 * a DNS-rebinding page (or a misconfigured proxy): 421. A write from another site's page is refused whatever it
 * authenticates with. The Origin, when sent, decides: a local dev app on localhost:5173 calling 127.0.0.1:8080 is
 * "cross-site" to Sec-Fetch-Site but trusted here; without an Origin, Sec-Fetch-Site decides.
 */
const hostGuard: FastifyPluginAsync<HostGuardOptions> = async (app, { policy }) => {
  app.decorateRequest('crossSite', false);
  const check = (request: FastifyRequest) => {
    const { host } = request.headers;
    if (!policy.acceptsHost(host)) {
      throw new DomainError(
        'misdirected',
        'misdirected_request',
        `this gateway answers to ${policy.describe()}, not Host ${shown(host)}; to serve a name on purpose (e.g. a ` +
          `reverse proxy's), add it to "allowedHosts" in APPRUN_HOME/settings.json or APPRUN_ALLOWED_HOSTS (applied ` +
          `at the next start)`,
      );
    }
    const { origin } = request.headers;
    const fetchSite = request.headers['sec-fetch-site'];
    if (origin === undefined && fetchSite === undefined) return;
    request.crossSite = origin !== undefined ? !policy.trustsOrigin(origin) : !SAME_SITE_FETCH.has(String(fetchSite));
    if (request.crossSite && !SAFE_METHODS.has(request.method))
      throw crossSiteRefused(request, `a cross-site ${request.method} is refused`);
  };
  app.addHook('onRequest', async (request) => {
    const trace = traceOf(request.raw);
    if (!trace) return check(request);
    const start = trace.now();
    try {
      check(request);
    } catch (err) {
      trace.end('host', start, { refused: (err as DomainError).code });
      throw err;
    }
    trace.end('host', start);
  });
};

export default fp(hostGuard, { name: 'apprun-host-guard' });
