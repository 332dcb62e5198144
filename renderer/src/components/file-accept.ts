import { fileSize } from '../format';

const acceptTokens = (accept: string | undefined) =>
  (accept ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

/**
 * Whether a file matches an input's `accept` list (".wasm", "application/wasm", "image/*"), as the picker would
 * filter it: a drop, or a picker set to "all files", is not filtered by the browser.
 */
export function acceptsFile(file: { name: string; type: string }, accept: string | undefined): boolean {
  const tokens = acceptTokens(accept).map((t) => t.toLowerCase());
  if (!tokens.length) return true;
  const name = file.name.toLowerCase();
  const type = file.type.toLowerCase();
  return tokens.some((t) =>
    t.startsWith('.') ? name.endsWith(t) : t.endsWith('/*') ? type.startsWith(t.slice(0, -1)) : type === t,
  );
}

/** Why a file cannot be taken, in words for the user; undefined when it can. */
export function fileRefusal(
  file: { name: string; type: string; size: number },
  accept: string | undefined,
  maxBytes?: number,
): string | undefined {
  if (!acceptsFile(file, accept)) return `${file.name} is not a ${acceptTokens(accept).join(' or ')} file`;
  if (maxBytes !== undefined && file.size > maxBytes)
    return `${file.name} is ${fileSize(file.size)}: at most ${fileSize(maxBytes)}`;
  return undefined;
}
