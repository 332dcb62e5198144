import type { FunctionView } from '../../../server/api/contract';

/** The gateway's defaults for a manifest that leaves a limit out. */
const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_MEMORY_MB = 16;

/**
 * A function name suggested by a module's file name, in the gateway's form (a lowercase letter, then letters, digits
 * and hyphens, 63 at most): "Price_With_Tax.WASM" → "price-with-tax". Empty when the file name has no letter to start.
 */
export function functionNameFor(fileName: string): string {
  return fileName
    .toLowerCase()
    .replace(/\.wasm$/, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** "1000 ms · 16 MiB": the deadline and memory cap a function runs with. */
export const limitsOf = (manifest: FunctionView['manifest']) =>
  `${manifest.timeout_ms ?? DEFAULT_TIMEOUT_MS} ms · ${manifest.memory_mb ?? DEFAULT_MEMORY_MB} MiB`;

/** The hosts a function may reach, or "none". */
export const networkOf = (manifest: FunctionView['manifest']) =>
  manifest.allowed_hosts?.length ? manifest.allowed_hosts.join(', ') : 'none';
