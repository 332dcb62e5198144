// What a storage key may be: one module for the gateway (which enforces it) and the dashboard (which explains a bad
// key as it is typed). No Node imports, so the dashboard's bundle may include it.

export const MAX_KEY_BYTES = 512;

/** Control characters and the backslash (a path separator somewhere) have no place in a key. */
function hasForbiddenCharacter(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/** What is wrong with a key ("segment/segment/…": no empty, "." or ".." segment); undefined for a good one. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'the key is empty';
  if (new TextEncoder().encode(key).length > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (hasForbiddenCharacter(key)) return 'the key contains a control character or a backslash';
  const segments = key.split('/');
  if (segments.some((s) => s === '')) return 'the key has an empty segment (a leading, trailing or double slash)';
  if (segments.some((s) => s === '.' || s === '..')) return 'the key has a "." or ".." segment';
  return undefined;
}
