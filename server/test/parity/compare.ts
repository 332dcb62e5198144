import type { PostgrestClient } from '@supabase/postgrest-js';

/** A client for whatever schema (the suite also asks for one that does not exist). */
// biome-ignore lint/suspicious/noExplicitAny: postgrest-js types a client by a database schema this suite lacks
export type AnyClient = PostgrestClient<any, any, any>;

/** What a PostgREST client sees of one call: everything the parity suite compares. */
export interface Observed {
  status: number;
  statusText: string;
  count: number | null;
  data: unknown;
  error: Record<string, unknown> | null;
}

/** A call the suite makes through the gateway and directly at PostgREST, with the same client and token. */
export interface ParityCase {
  name: string;
  run: (
    db: AnyClient,
  ) => PromiseLike<{ status: number; statusText: string; count?: number | null; data: unknown; error: unknown }>;
  /** Writes: rows the case changes are put back to the fixture state before each side runs. */
  writes?: boolean;
}

/**
 * Where the gateway differs on purpose, in one place:
 * - its error bodies carry one more field, `error` (the gateway's machine code, e.g. `unknown_table`), beside
 *   PostgREST's own `code`, `message`, `details` and `hint`, which are kept exactly;
 * - every read, update and delete of a tenant-scoped table carries one more filter, `tenant_id=eq.<caller's tenant>`
 *   (the tenant pin, on top of row-level security): the same rows either way, since RLS already limits them;
 * - write cases create rows through each door in turn, so identity columns and timestamps differ: `id` and
 *   `created_at` are masked in write cases only.
 */
export const GATEWAY_ONLY_ERROR_FIELDS = ['error'] as const;
const MASKED_IN_WRITES = new Set(['id', 'created_at']);

function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, MASKED_IN_WRITES.has(k) ? '<masked>' : mask(v)]),
    );
  }
  return value;
}

export function observe(
  res: Awaited<ReturnType<ParityCase['run']>>,
  { gateway, writes }: { gateway: boolean; writes: boolean },
): Observed {
  let error = (res.error ?? null) as Record<string, unknown> | null;
  if (error && gateway) {
    error = { ...error };
    for (const field of GATEWAY_ONLY_ERROR_FIELDS) delete error[field];
  }
  if (error) error = { ...error }; // a PostgrestError instance and a plain object compare as equals
  return {
    status: res.status,
    statusText: res.statusText,
    count: res.count ?? null,
    data: writes ? mask(res.data) : res.data,
    error,
  };
}
