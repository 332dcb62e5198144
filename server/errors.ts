import type { FastifyError, FastifyInstance } from 'fastify';

/** The one error shape of the API: {error: machine code, message: a sentence}; never a stack trace. */
export interface ApiError {
  error: string;
  message: string;
  [extra: string]: unknown;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_VALIDATION: 'invalid_request',
};

/** Installs the JSON error and not-found handlers on the root instance; plugins inherit them. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { code?: string }, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    // An unexpected failure says only where to look; an HttpError 5xx (e.g. a service that is down) is meant for the caller.
    if (status >= 500 && !(err instanceof HttpError)) {
      request.log.error({ err, url: request.url }, 'request failed');
      return reply.code(status).send({ error: 'internal_error', message: 'the gateway failed to handle this request; see logs/gateway.log' } satisfies ApiError);
    }
    let code = (err.code && FASTIFY_CODES[err.code]) ?? (typeof err.code === 'string' && !err.code.startsWith('FST_') ? err.code : undefined);
    if (err.name === 'AuthError') reply.header('www-authenticate', `Bearer error="invalid_token"`);
    const details = err instanceof HttpError ? err.details : undefined;
    return reply.code(status).send({ error: code ?? 'bad_request', message: err.message, ...details } satisfies ApiError);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } satisfies ApiError),
  );
}

/** An error with an HTTP status that the error handler turns into {error, message}. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Extra fields for the JSON body (e.g. the missing RBAC rule). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}
