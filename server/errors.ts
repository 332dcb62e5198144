import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';

/** The one error shape of the API: {error: machine code, message: a sentence}; never a stack trace. */
export interface ApiError {
  error: string;
  message: string;
  [extra: string]: unknown;
}

/**
 * What went wrong, in the terms of whoever found it (a domain service, a guard, a plugin). Code throws these and
 * never picks an HTTP status; STATUS_OF below is the one place where a kind becomes a status.
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type'
  | 'misdirected'
  | 'unprocessable'
  | 'rate_limited'
  | 'bad_upstream'
  | 'unavailable'
  | 'overloaded'
  /** A service asleep that did not wake within the deadline, or failed to: try again in a moment. */
  | 'waking'
  | 'timeout';

export const STATUS_OF: Readonly<Record<ErrorKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  misdirected: 421,
  unprocessable: 422,
  rate_limited: 429,
  bad_upstream: 502,
  unavailable: 503,
  overloaded: 503,
  waking: 503,
  timeout: 504,
};

/** Kinds a client should retry after a pause: they carry Retry-After. */
const RETRY_LATER = new Set<ErrorKind>(['rate_limited', 'overloaded', 'waking']);

/** An expected failure: a kind (its status, see STATUS_OF), a machine code, a sentence, and extra JSON fields. */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    /** Extra fields for the JSON body (e.g. the missing RBAC rule). */
    readonly details?: Record<string, unknown>,
  ) {
    // An expected failure: its stack is never shown, and capturing one was ~8% of the gateway's time under a flood
    // of refusals.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }

  get statusCode(): number {
    return STATUS_OF[this.kind];
  }
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_VALIDATION: 'invalid_request',
};

/** The content type of every JSON answer the gateway writes itself (Fastify's own for serialized objects). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** A domain error's JSON body: {error, message, ...details}. */
export function domainErrorBody(err: DomainError): ApiError {
  return { error: err.code, message: err.message, ...err.details };
}

/** The headers a domain error's answer carries besides its body. */
export function domainErrorHeaders(err: DomainError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (RETRY_LATER.has(err.kind)) headers['retry-after'] = '1';
  if (err.name === 'AuthError') headers['www-authenticate'] = 'Bearer error="invalid_token"';
  return headers;
}

/** Sends a domain error as its status, its headers and its body. */
export function sendDomainError(reply: FastifyReply, err: DomainError): FastifyReply {
  return reply.code(err.statusCode).headers(domainErrorHeaders(err)).send(domainErrorBody(err));
}

/** Installs the JSON error and not-found handlers on the root instance; plugins inherit them. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) return sendDomainError(reply, err);
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    // An unexpected failure says only where to look.
    if (status >= 500) {
      request.log.error({ err, url: request.url }, 'request failed');
      return reply.code(500).send({
        error: 'internal_error',
        message: 'the gateway failed to handle this request; see logs/gateway.log',
      } satisfies ApiError);
    }
    // Fastify's own 4xx (body parsing, schema validation).
    const code = (err.code && FASTIFY_CODES[err.code]) ?? 'bad_request';
    return reply.code(status).send({ error: code, message: err.message } satisfies ApiError);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0]}`,
    } satisfies ApiError),
  );
}
