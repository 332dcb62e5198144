import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type pg from 'pg';
import {
  MailCodeBodySchema,
  MailCodeSentSchema,
  PasswordChangedSchema,
  RecoveryCodeBodySchema,
  VerifiedSchema,
  VerifyBodySchema,
} from '../api/schemas/auth.js';
import { NoQuery, responses } from '../api/schemas/common.js';
import { DomainError } from '../errors.js';
import type { Access } from './access.js';
import { type KratosClient, wrongCode } from './kratos-client.js';

export interface MailCodeRoutesOptions {
  db: pg.Pool;
  kratos: KratosClient;
  access: Access;
}

type Kind = 'recovery' | 'verification';
const BODY_LIMIT = 4 * 1024;
const MAX_CODE_ATTEMPTS = 5;
/** Kratos' min_password_length (stack/services/kratos.ts). */
const MIN_PASSWORD_LENGTH = 8;

/** Kept by email in the database, so the code may come back to any gateway. */
export async function rememberFlow(db: pg.Pool, kind: Kind, email: string, flowId: string): Promise<void> {
  await db.query(
    `insert into app_private.auth_mail_flows (email, kind, flow_id) values (lower($1), $2, $3)
     on conflict (email, kind) do update set flow_id = excluded.flow_id, created_at = now(), attempts = 0`,
    [email, kind, flowId],
  );
}

/**
 * /auth/recovery, /auth/verify: a password forgotten and an address proved, by a code Kratos mails (to the mail
 * catcher). Asking answers 202 whether or not the address has an account; a code that is wrong, used, expired or was
 * never sent gets the same 400; five wrong ones spend the code.
 */
const mailCodeRoutes: FastifyPluginAsyncTypebox<MailCodeRoutesOptions> = async (app, { db, kratos, access }) => {
  const forget = (kind: Kind, email: string) =>
    db.query('delete from app_private.auth_mail_flows where email = lower($1) and kind = $2', [email, kind]);
  /**
   * Submits a code to the flow kept for the address. A wrong one counts: after MAX_CODE_ATTEMPTS the flow is
   * forgotten (a code of 6 digits is not guessed in 5 tries), and a new code must be asked for. Right: forgotten too.
   */
  const withCode = async <T>(kind: Kind, email: string, submit: (flowId: string) => Promise<T | undefined>) => {
    const { rows } = await db.query<{ flow_id: string }>(
      `select flow_id from app_private.auth_mail_flows where email = lower($1) and kind = $2
         and created_at > now() - interval '1 hour' and attempts < $3`,
      [email, kind, MAX_CODE_ATTEMPTS],
    );
    if (!rows[0]) throw wrongCode();
    const done = await submit(rows[0].flow_id).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'code_invalid') return undefined;
      throw err;
    });
    if (done === undefined) {
      await db.query(
        'update app_private.auth_mail_flows set attempts = attempts + 1 where email = lower($1) and kind = $2',
        [email, kind],
      );
      throw wrongCode();
    }
    await forget(kind, email);
    return done;
  };
  const config = { access: 'public' as const, upstream: 'kratos' as const };
  const sent = (what: string) => ({
    message: `if an account has this address, a ${what} code is on its way (read it with \`apprun mail\`)`,
  });

  // Asking for a code: a recovery, or a new verification code (the first came with the registration).
  for (const kind of ['recovery', 'verification'] as const)
    app.post(
      `/${kind}`,
      {
        config,
        bodyLimit: BODY_LIMIT,
        schema: { querystring: NoQuery, body: MailCodeBodySchema, response: responses({ 202: MailCodeSentSchema }) },
      },
      async (request, reply) => {
        const flow = await kratos.mailCode(kind, request.body.email);
        await rememberFlow(db, kind, request.body.email, flow);
        return reply.code(202).send(sent(kind));
      },
    );

  app.post(
    '/recovery/code',
    {
      config,
      bodyLimit: BODY_LIMIT,
      schema: {
        querystring: NoQuery,
        body: RecoveryCodeBodySchema,
        response: responses({ 200: PasswordChangedSchema }),
      },
    },
    async (request) => {
      const { email, code, password } = request.body;
      // Kratos' own minimum, checked before the code is spent on a password it would refuse.
      if (password.length < MIN_PASSWORD_LENGTH)
        throw new DomainError(
          'invalid',
          'password_rejected',
          `the password must be at least ${MIN_PASSWORD_LENGTH} characters; the code is still good`,
        );
      const { identityId } = await withCode('recovery', email, (flow) => kratos.recover(flow, code, password));
      // Whoever held the old password is out: its sessions and the tokens minted from them.
      await kratos.revokeSessions(identityId);
      const { rows } = await db.query<{ id: string }>(
        'select id from app_private.users where kratos_identity_id = $1',
        [identityId],
      );
      // Tokens live minutes; a day's retirement outlasts every one minted before.
      if (rows[0]) access.retireTokensOf(rows[0].id, Date.now() + 24 * 3600_000);
      return { message: 'the password is changed: log in with it' };
    },
  );

  app.post(
    '/verify',
    {
      config,
      bodyLimit: BODY_LIMIT,
      schema: { querystring: NoQuery, body: VerifyBodySchema, response: responses({ 200: VerifiedSchema }) },
    },
    async (request) => {
      const { email, code } = request.body;
      await withCode('verification', email, async (flow) => ((await kratos.verify(flow, code)) ? true : undefined));
      await db.query('update app_private.users set email_verified = true where lower(email) = lower($1)', [email]);
      return { email: email.toLowerCase(), verified: true };
    },
  );
};

export default mailCodeRoutes;
