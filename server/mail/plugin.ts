import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Bytes, NoQuery, responses } from '../api/schemas/common.js';
import {
  MailClearedSchema,
  MailIdParams,
  MailListSchema,
  MailMessageSchema,
  MailQuerySchema,
} from '../api/schemas/mail.js';
import { DomainError } from '../errors.js';
import type { MailCatcher } from './mail-catcher.js';

const notFound = (id: string) =>
  new DomainError(
    'not_found',
    'mail_not_found',
    `no caught mail ${id} (it may have been dropped: the catcher keeps the newest)`,
  );

/** /api/mail: what the catcher caught (admin scope): the list (filtered, or waited for), one message, its raw bytes. */
const mailPlugin: FastifyPluginAsyncTypebox<{ mail: MailCatcher }> = async (app, { mail }) => {
  app.get(
    '/api/mail',
    { schema: { querystring: MailQuerySchema, response: responses({ 200: MailListSchema }) } },
    async (request, reply) => {
      const { wait, ...filter } = request.query;
      // A client that goes away stops its wait (a follower's Ctrl-C).
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const messages = await mail.requireStore().waitFor(filter, wait ?? 0, gone.signal);
      return { messages, ...mail.figures() };
    },
  );
  app.get(
    '/api/mail/:id',
    { schema: { params: MailIdParams, querystring: NoQuery, response: responses({ 200: MailMessageSchema }) } },
    async (request) => {
      const message = await mail.requireStore().get(request.params.id);
      if (!message) throw notFound(request.params.id);
      return message;
    },
  );
  app.get(
    '/api/mail/:id/raw',
    { schema: { params: MailIdParams, querystring: NoQuery, response: responses({ 200: Bytes }) } },
    async (request, reply) => {
      const raw = await mail.requireStore().raw(request.params.id);
      if (!raw) throw notFound(request.params.id);
      return reply.type('message/rfc822').send(raw);
    },
  );
  app.delete(
    '/api/mail',
    { schema: { querystring: NoQuery, response: responses({ 200: MailClearedSchema }) } },
    async () => ({ cleared: await mail.requireStore().clear() }),
  );
};

export default mailPlugin;
