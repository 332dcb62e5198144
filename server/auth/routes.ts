import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import {
  AccessTokenSchema,
  DevTokenBodySchema,
  DevTokenSchema,
  LoginBodySchema,
  LoginViewSchema,
  PoliciesBodySchema,
  PoliciesViewSchema,
  RegisterBodySchema,
  RegisteredSchema,
  SessionBodySchema,
} from '../api/schemas/auth.js';
import { NoContent, NoQuery, responses } from '../api/schemas/common.js';
import { DomainError } from '../errors.js';
import type { PolicyRule } from '../rbac/authorizer.js';
import { tenantIdOf } from '../tenancy/tenant-lookup.js';
import type { WorkflowService } from '../workflows/workflow-service.js';
import type { Access } from './access.js';
import type { KratosClient } from './kratos-client.js';
import mailCodeRoutes, { rememberFlow } from './mail-code-routes.js';
import { type AppRole, accessClaimsOf } from './tokens.js';

export interface AuthRoutesOptions {
  db: pg.Pool;
  kratos: KratosClient;
  access: Access;
  /** A successful registration starts the user's registration workflow (welcome email, default project). */
  startRegistration: WorkflowService['startRegistration'];
  /** Enables POST /auth/dev-token. Dev only: it hands a token to anyone who names a seeded email. */
  devTokens: boolean;
  tokenTtlSeconds?: number;
}

interface AppUser {
  id: string;
  email: string;
  name: string;
  tenant_id: string;
  role: AppRole;
  email_verified?: boolean;
}

/** Credentials and names are small: anything larger is refused before it is parsed. */
const AUTH_BODY_LIMIT = 16 * 1024;

/** /auth: sign-up and login through Kratos' API flows, tokens for sessions, logout, and the tenant's RBAC policies. */
const authRoutes: FastifyPluginAsyncTypebox<AuthRoutesOptions> = async (app, opts) => {
  const { access } = opts;
  await app.register(mailCodeRoutes, { db: opts.db, kratos: opts.kratos, access });
  const ttl = opts.tokenTtlSeconds ?? 900;
  const userWhere = async (
    column: 'id' | 'kratos_identity_id' | 'email',
    value: string,
  ): Promise<AppUser | undefined> =>
    (
      await opts.db.query<AppUser>(
        `select id, email, name, tenant_id, role, email_verified from app_private.users where ` +
          `${column === 'email' ? 'lower(email) = lower($1)' : `${column} = $1`}`,
        [value],
      )
    ).rows[0];
  const tokenFor = (user: AppUser, sid: string) => access.issuer.mint(accessClaimsOf(user, sid), ttl);
  const linkedUser = async (identityId: string): Promise<AppUser> => {
    const user = await userWhere('kratos_identity_id', identityId);
    if (!user) throw new DomainError('forbidden', 'no_app_user', 'this identity is not linked to an apprun user');
    return user;
  };
  const pub = { access: 'public' as const };
  /** Sign-up, login and sessions are Kratos calls, admitted by its gate before a tenant is known. */
  const viaKratos = { ...pub, upstream: 'kratos' as const };

  app.post(
    '/register',
    {
      config: viaKratos,
      bodyLimit: AUTH_BODY_LIMIT,
      schema: { querystring: NoQuery, body: RegisterBodySchema, response: responses({ 201: RegisteredSchema }) },
    },
    async (request, reply) => {
      const { password, tenant, name } = request.body;
      const address = request.body.email.toLowerCase();
      const tenantId = await tenantIdOf(opts.db, tenant);
      const session = await opts.kratos.register(address, password, name);
      let user: AppUser;
      try {
        user = (
          await opts.db.query<AppUser>(
            `insert into app_private.users (tenant_id, email, name, role, kratos_identity_id) values ($1, $2, $3, 'user', ` +
              `$4) returning id, email, name, tenant_id, role, email_verified`,
            [tenantId, address, name, session.identityId],
          )
        ).rows[0]!;
      } catch (err) {
        // Keep Kratos and the app database in step: no identity without its app user.
        await opts.kratos.deleteIdentity(session.identityId);
        if ((err as { code?: string }).code === '23505')
          throw new DomainError('conflict', 'already_registered', 'an account with this email exists already');
        throw err;
      }
      await opts.kratos.updateIdentity(session.identityId, {
        email: address,
        name,
        metadata: { tenant_id: tenantId, role: 'user' },
      });
      await access.authorizer.linkUser(user.id, 'user', tenantId);
      // Kratos mailed a verification code: POST /auth/verify {email, code} finds its flow by the address.
      if (session.verificationFlowId) await rememberFlow(opts.db, 'verification', address, session.verificationFlowId);
      // The account exists whatever happens to its workflow: a workflow that cannot start is reported, not fatal.
      const workflow = await opts
        .startRegistration(tenantId, { email: address, name })
        .catch((err: Error) => ({ error: `the registration workflow did not start: ${err.message}` }));
      return reply
        .code(201)
        .send({ user, ...(await tokenFor(user, session.sessionId)), session_token: session.sessionToken, workflow });
    },
  );

  app.post(
    '/login',
    {
      config: viaKratos,
      bodyLimit: AUTH_BODY_LIMIT,
      schema: { querystring: NoQuery, body: LoginBodySchema, response: responses({ 200: LoginViewSchema }) },
    },
    async (request) => {
      const session = await opts.kratos.login(request.body.email, request.body.password);
      const user = await linkedUser(session.identityId);
      return { ...(await tokenFor(user, session.sessionId)), session_token: session.sessionToken };
    },
  );

  const session = { querystring: NoQuery, body: SessionBodySchema };
  app.post(
    '/token',
    {
      config: viaKratos,
      bodyLimit: AUTH_BODY_LIMIT,
      schema: { ...session, response: responses({ 200: AccessTokenSchema }) },
    },
    async (request) => {
      const session = await opts.kratos.whoami(request.body.session_token);
      if (!session || access.verifier.isRevoked(session.sessionId))
        throw new DomainError(
          'unauthenticated',
          'session_invalid',
          'the session is unknown, expired or logged out; log in again',
        );
      return tokenFor(await linkedUser(session.identityId), session.sessionId);
    },
  );

  app.post(
    '/logout',
    { config: viaKratos, bodyLimit: AUTH_BODY_LIMIT, schema: { ...session, response: responses({ 204: NoContent }) } },
    async (request, reply) => {
      const session = await opts.kratos.whoami(request.body.session_token);
      if (!session)
        throw new DomainError(
          'unauthenticated',
          'session_invalid',
          'the session is unknown, expired or logged out already',
        );
      await opts.kratos.logout(request.body.session_token);
      access.revokeSession(session.sessionId, Date.now() + ttl * 1000);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/policies',
    { schema: { querystring: NoQuery, response: responses({ 200: PoliciesViewSchema }) } },
    async (request) => ({
      tenant_id: request.claims!.tenant_id,
      policies: await access.authorizer.policies(request.claims!.tenant_id),
    }),
  );

  app.put(
    '/policies',
    {
      bodyLimit: 64 * 1024,
      schema: { querystring: NoQuery, body: PoliciesBodySchema, response: responses({ 200: PoliciesViewSchema }) },
    },
    async (request) => {
      const { policies } = request.body;
      const keepsAdmin = (['GET', 'PUT'] as const).every((m) =>
        policies.some((p) => p.role === 'admin' && p.path === '/auth/policies' && p.methods.includes(m)),
      );
      if (!keepsAdmin)
        throw new DomainError(
          'invalid',
          'would_lock_out',
          'the admin role must keep GET and PUT on /auth/policies, or nobody could change policies again',
        );
      await access.authorizer.replacePolicies(request.claims!.tenant_id, policies as PolicyRule[]); // paths checked by the schema
      return {
        tenant_id: request.claims!.tenant_id,
        policies: await access.authorizer.policies(request.claims!.tenant_id),
      };
    },
  );

  if (!opts.devTokens) return;
  app.post(
    '/dev-token',
    // DEV ONLY (apprun up --dev-tokens): a token for a seeded user without a password.
    {
      config: pub,
      bodyLimit: AUTH_BODY_LIMIT,
      schema: { querystring: NoQuery, body: DevTokenBodySchema, response: responses({ 200: DevTokenSchema }) },
    },
    async (request, reply) => {
      const user = await userWhere('email', request.body.email);
      if (!user) throw new DomainError('not_found', 'unknown_user', `no user with email ${request.body.email}`);
      reply.header('x-apprun-dev-only', 'true');
      return {
        ...(await tokenFor(user, 'dev')),
        dev_only: true as const,
        warning: 'dev-only token: started with apprun up --dev-tokens',
      };
    },
  );
};

export default authRoutes;
