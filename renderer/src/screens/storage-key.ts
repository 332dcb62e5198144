// The gateway's rules for a storage key (server/storage/storage-service.ts checkKey), checked as the user types so a
// bad key is explained before the upload; the gateway still checks every key.

const MAX_KEY_BYTES = 512;
// Control characters and the backslash (a path separator somewhere) have no place in a key.
const FORBIDDEN = /[\u0000-\u001f\u007f\\]/;

/** What is wrong with a key, in the gateway's words; undefined for a good one. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty';
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (FORBIDDEN.test(key)) return 'the key contains a control character or a backslash';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return 'the key has an empty segment (a leading, trailing or double slash)';
  if (segments.some((s) => s === '.' || s === '..')) return 'the key has a "." or ".." segment';
  return undefined;
}
