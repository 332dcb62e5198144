// The mail catcher's routes (admin scope): what it caught, one message read, and the bounds it keeps.
import { type Static, Type } from 'typebox';

export const MailSummarySchema = Type.Object({
  id: Type.String(),
  from: Type.String(),
  to: Type.Array(Type.String()),
  subject: Type.String(),
  receivedAt: Type.String({ format: 'date-time' }),
  size: Type.Integer({ description: 'bytes' }),
});
export type MailSummaryBody = Static<typeof MailSummarySchema>;

export const MailQuerySchema = Type.Object(
  {
    to: Type.Optional(Type.String({ maxLength: 254, description: 'a recipient containing this (case-blind)' })),
    subject: Type.Optional(Type.String({ maxLength: 200, description: 'a subject containing this (case-blind)' })),
    after: Type.Optional(
      Type.String({ pattern: '^[0-9a-z]{9}-[0-9a-z]{3}$', description: 'only mail caught after this id' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 50 })),
    wait: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30, description: 'seconds to wait for a first match (tests)' }),
    ),
  },
  { additionalProperties: false },
);

export const MailListSchema = Type.Object({
  messages: Type.Array(MailSummarySchema),
  /** What the catcher holds and its bounds; dropped (oldest, past the bounds) and refused (too big) since the start. */
  kept: Type.Integer(),
  bytes: Type.Integer(),
  maxMessages: Type.Integer(),
  maxBytes: Type.Integer(),
  maxMessageBytes: Type.Integer(),
  dropped: Type.Integer(),
  refused: Type.Integer(),
  smtp: Type.String({ description: 'where apps send: smtp://127.0.0.1:PORT' }),
});
export type MailListBody = Static<typeof MailListSchema>;

export const MailIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-z]{9}-[0-9a-z]{3}$' }) });

export const MailMessageSchema = Type.Intersect([
  MailSummarySchema,
  Type.Object({
    text: Type.String(),
    html: Type.Union([Type.String(), Type.Null()]),
    links: Type.Array(Type.String()),
    codes: Type.Array(Type.String()),
  }),
]);
export type MailMessageBody = Static<typeof MailMessageSchema>;

export const MailClearedSchema = Type.Object({ cleared: Type.Integer() });
