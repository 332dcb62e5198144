import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { JwksSchema } from '../api/schemas/auth.js';
import { NoQuery, responses } from '../api/schemas/common.js';
import { DomainError } from '../errors.js';
import type { Authorizer } from '../rbac/authorizer.js';
import type { RequestTrace } from '../tracing/request-trace.js';
import { traceOf } from '../tracing/tracer.js';
import type { Access } from './access.js';
import type { AccessClaims, TokenVerifier } from './tokens.js';

/**
 * How a route is reached. 'user' (the default, so a new route is closed until it says otherwise): a gateway access
 * token, then the RBAC policy of the caller's tenant. 'public': no credentials. 'admin-token': the per-run admin token,
 * checked by the admin scope (app.ts), which marks its routes so.
 */
export type RouteAccess = 'user' | 'public' | 'admin-token';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    claims: AccessClaims | null;
  }
}

export interface AccessPluginOptions {
  access: Access;
}

/** The request's path without its query string, as policies name it. */
export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q === -1 ? request.url : request.url.slice(0, q);
}

/**
 * The whole per-request authorization path: token verification, then the tenant's RBAC policy. A traced request gets
 * a span for each (whether the token was cached, the rule that matched or the one missing).
 */
export async function authorizeRequest(
  verifier: TokenVerifier,
  authorizer: Authorizer,
  header: string | undefined,
  path: string,
  method: string,
  trace?: RequestTrace,
): Promise<AccessClaims> {
  const start = trace?.now() ?? 0;
  // A token verified before is taken from the cache at once (and the span says so); any other is verified.
  const cached = verifier.cachedClaims(header);
  let claims: AccessClaims;
  try {
    claims = cached ?? (await verifier.verifyHeader(header));
  } catch (err) {
    trace?.end('token', start, { cached: false, refused: (err as DomainError).code ?? 'token_invalid' });
    throw err;
  }
  if (trace) {
    trace.end('token', start, { cached: cached !== undefined });
    trace.caller = { tenant: claims.tenant_id, user: claims.email, role: claims.role };
  }
  const rbacStart = trace?.now() ?? 0;
  // HEAD is a GET without the body: whoever may GET may HEAD.
  const decision = authorizer.check(claims, path, method === 'HEAD' ? 'GET' : method);
  trace?.end('rbac', rbacStart, decision.allowed ? { rule: decision.rule } : { missing: decision.missingRule });
  if (!decision.allowed) {
    throw new DomainError(
      'forbidden',
      'forbidden',
      `role ${claims.role} of tenant ${claims.tenant_id} may not ${method} ${path}: no policy allows it`,
      {
        missing_rule: decision.missingRule,
      },
    );
  }
  return claims;
}

/** One permission hook for every route: authentication, then RBAC (deny by default). */
const accessPlugin: FastifyPluginAsync<AccessPluginOptions> = async (app, { access }) => {
  app.decorateRequest('claims', null);
  app.addHook('onRequest', async (request) => {
    if (request.is404) return;
    if ((request.routeOptions.config.access ?? 'user') !== 'user') return;
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    request.claims = await authorizeRequest(
      access.verifier,
      access.authorizer,
      request.headers.authorization,
      pathOf(request),
      method,
      traceOf(request.raw),
    );
  });

  app.get(
    '/.well-known/jwks.json',
    { config: { access: 'public' }, schema: { querystring: NoQuery, response: responses({ 200: JwksSchema }) } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return access.jwks;
    },
  );
};

export default fp(accessPlugin, { name: 'apprun-access' });
