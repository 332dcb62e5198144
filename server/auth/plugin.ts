import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { JSONWebKeySet } from 'jose';
import type pg from 'pg';
import { HttpError } from '../errors.js';
import { type AccessClaims, DB_ROLE, type TokenIssuer, type TokenVerifier } from './tokens.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and sets request.claims, or answers 401. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    claims: AccessClaims | null;
  }
}

export interface AuthPluginOptions {
  verifier: TokenVerifier;
  issuer: TokenIssuer;
  jwks: JSONWebKeySet;
  db: pg.Pool;
  /** Enables POST /auth/dev-token. Dev only: it hands a token to anyone who names a seeded email. */
  devTokens: boolean;
  devTokenTtlSeconds?: number;
}

const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, opts) => {
  app.decorateRequest('claims', null);
  app.decorate('authenticate', async (request: FastifyRequest) => {
    request.claims = await opts.verifier.verifyHeader(request.headers.authorization);
  });

  app.get('/.well-known/jwks.json', { schema: { response: { 200: { type: 'object', additionalProperties: true } } } }, async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return opts.jwks;
  });

  if (!opts.devTokens) return;
  const ttl = opts.devTokenTtlSeconds ?? 900;
  app.post<{ Body: { email: string } }>(
    '/auth/dev-token',
    // DEV ONLY: mints an access token for a seeded user without a password. Disabled with --no-dev-tokens.
    {
      schema: {
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: { email: { type: 'string', minLength: 3, maxLength: 254 } },
        },
      },
    },
    async (request, reply) => {
      const { rows } = await opts.db.query<{ id: string; email: string; tenant_id: string; role: 'admin' | 'user' }>(
        'select id, email, tenant_id, role from api.users where lower(email) = lower($1)',
        [request.body.email],
      );
      const user = rows[0];
      if (!user) throw new HttpError(404, 'unknown_user', `no user with email ${request.body.email}`);
      const token = await opts.issuer.mint(
        { sub: user.id, email: user.email, tenant_id: user.tenant_id, role: user.role, db_role: DB_ROLE[user.role] },
        ttl,
      );
      reply.header('x-apprun-dev-only', 'true');
      return { ...token, dev_only: true, warning: 'dev-only token: apprun up --no-dev-tokens disables this route' };
    },
  );
};

export default fp(authPlugin, { name: 'apprun-auth' });
