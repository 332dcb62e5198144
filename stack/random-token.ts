import { randomBytes } from 'node:crypto';

/** A random URL-safe string from `bytes` random bytes: per-install secrets. */
export const token = (bytes: number) => randomBytes(bytes).toString('base64url');
