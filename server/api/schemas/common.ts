// Wire types shared by every route family. Each route declares its request and response with these schemas; the
// TypeScript types come from them (Static), so a type is written once.
import { type Static, type TSchema, Type } from 'typebox';

/** The one error shape: {error, message} and the fields a kind of error adds (the missing rule, PostgREST's code…). */
export const ApiErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'machine-readable code' }),
    message: Type.String({ description: 'a sentence for people' }),
  },
  { additionalProperties: true },
);
export type ApiErrorBody = Static<typeof ApiErrorSchema>;

/** Every route's error answers. */
export const ERROR_RESPONSES = { '4xx': ApiErrorSchema, '5xx': ApiErrorSchema } as const;

/** A route's responses: its own, and the error answers every route may give. */
export const responses = <R extends Record<number, TSchema>>(own: R) => ({ ...own, ...ERROR_RESPONSES });

/** An answer with no body (204). */
export const NoContent = Type.Null({ description: 'no body' });

/** A timestamp as ISO 8601 (Postgres timestamps arrive as Dates and are written this way). */
export const Timestamp = Type.String({ format: 'date-time' });

/** A body the route passes through as bytes (a function's output, an object, PostgREST's answer): not serialized. */
export const Bytes = Type.Unknown({ description: 'the bytes as they are, with their own content type' });

/** An empty request: for routes that take nothing, said explicitly. */
export const NoQuery = Type.Object({}, { additionalProperties: false });
