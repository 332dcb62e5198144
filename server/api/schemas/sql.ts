import { Type } from 'typebox';

export const SqlBodySchema = Type.Object(
  {
    /** The user to run as (id or email): their database role and claims, so RLS applies as in their app. */
    as: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    /** Without `as`: every tenant's rows, as the database owner (bypasses isolation; say so on screen). */
    allTenants: Type.Optional(Type.Boolean()),
    sql: Type.String({ minLength: 1, maxLength: 100_000 }),
  },
  { additionalProperties: false },
);

export const SqlResultSchema = Type.Object({
  /** Who the statement ran as: the user's email and tenant, or "all tenants (bypasses isolation)". */
  ranAs: Type.String(),
  role: Type.String(),
  bypassesIsolation: Type.Boolean(),
  command: Type.String(),
  columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
  rows: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  rowCount: Type.Integer(),
  /** More rows than the console shows came back; only the first ones are here. */
  truncated: Type.Boolean(),
  durationMs: Type.Number(),
});
