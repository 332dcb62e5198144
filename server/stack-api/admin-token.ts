import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';

/**
 * The control API is not for every local process: callers present the per-run admin token (printed by
 * `apprun up`, handed to the desktop UI) as a bearer token or in x-apprun-admin-token.
 */
export function adminTokenHook(adminToken: string) {
  const expected = Buffer.from(adminToken);
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-apprun-admin-token'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '');
    const given = Buffer.from(typeof header === 'string' ? header : '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new HttpError(401, 'admin_token_required', 'this control API needs the admin token printed by `apprun up` (x-apprun-admin-token header)');
    }
  };
}
