import { Type } from 'typebox';

export const ExplainBodySchema = Type.Object(
  {
    /** The user to explain the request for (email or id). */
    as: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    /** Or a token (a client's): what is wrong with it, or, when it is good, the request as its user. */
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** Or a kept request (the Requests screen's button): its method, path and caller. */
    traceId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{32}$' })),
    method: Type.Optional(Type.Enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'])),
    /** The gateway path with its query, e.g. /data/notes?select=title&done=is.false. */
    path: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
    /** A write's JSON body (run in a transaction that is rolled back: explained, never applied). */
    body: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

const Verdict = Type.Enum(['pass', 'fail', 'info']);

export const PolicyViewSchema = Type.Object({
  name: Type.String(),
  /** ALL, SELECT, INSERT, UPDATE or DELETE. */
  command: Type.String(),
  permissive: Type.Boolean(),
  roles: Type.Array(Type.String()),
  /** The USING expression (which existing rows it lets through). */
  using: Type.Union([Type.String(), Type.Null()]),
  /** The WITH CHECK expression (which new rows it accepts). */
  check: Type.Union([Type.String(), Type.Null()]),
});

export const TableExplanationSchema = Type.Object({
  schema: Type.String(),
  table: Type.String(),
  /** table, view, … (pg_class.relkind in words); null when no such relation exists. */
  kind: Type.Union([Type.String(), Type.Null()]),
  rlsEnabled: Type.Boolean(),
  /** The gateway also pins this table's reads, updates and deletes to the caller's tenant (its tenant column). */
  tenantPinned: Type.Boolean(),
  /** The policies that apply to the caller's database role and this request's command. */
  policies: Type.Array(PolicyViewSchema),
  /** Rows the request's filter matches in every tenant (a privileged, read-only count: never the rows). */
  matching: Type.Union([Type.Integer(), Type.Null()]),
  /** Of those, rows the caller sees. */
  visible: Type.Union([Type.Integer(), Type.Null()]),
  hidden: Type.Union([Type.Integer(), Type.Null()]),
  /** "3 match, 1 visible, 2 hidden by notes_tenant". */
  sentence: Type.String(),
});

export const ExplanationSchema = Type.Object({
  method: Type.String(),
  path: Type.String(),
  caller: Type.Union([
    Type.Object({
      email: Type.String(),
      tenant: Type.String(),
      tenantName: Type.String(),
      role: Type.String(),
      dbRole: Type.String(),
    }),
    Type.Null(),
  ]),
  /** What the request got, or would get; null when it was not sent (a write outside /data cannot be rolled back). */
  status: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  /** The request was sent (as the caller, through the gateway); a write in a transaction that was rolled back. */
  executed: Type.Boolean(),
  rolledBack: Type.Boolean(),
  /** The explained request's own trace (GET /api/traces/:traceId), when it was sent. */
  traceId: Type.Union([Type.String(), Type.Null()]),
  /** Why, in one sentence. */
  summary: Type.String(),
  /** Each check the request passed or failed, in the gateway's order. */
  steps: Type.Array(
    Type.Object({ step: Type.String(), verdict: Verdict, detail: Type.String() }, { additionalProperties: false }),
  ),
  rbac: Type.Union([
    Type.Object({
      allowed: Type.Boolean(),
      /** The rule that let it through, or the one that would. */
      rule: Type.String(),
      /** The caller's role's rules in their tenant. */
      rules: Type.Array(Type.String()),
    }),
    Type.Null(),
  ]),
  tables: Type.Array(TableExplanationSchema),
  /** The PostgREST or PostgreSQL error code of the answer, and what it means. */
  code: Type.Union([Type.Object({ code: Type.String(), meaning: Type.String() }), Type.Null()]),
});
