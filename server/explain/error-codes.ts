// What the codes a /data answer can carry mean, for the explainer: PostgREST's own (PGRSTxxx), the PostgreSQL
// SQLSTATEs it passes on, and the gateway's. Worded for the developer who got them, with the usual fix.

const POSTGREST: Record<string, string> = {
  PGRST000: 'PostgREST could not reach the database (is Postgres up? `apprun status`)',
  PGRST100: 'the query string could not be parsed: a filter, select or order is not in PostgREST syntax',
  PGRST102: 'the request body is not valid JSON, or its rows do not all have the same keys',
  PGRST103: 'the requested range (Range header, limit or offset) is not satisfiable',
  PGRST105: 'a PUT must filter on exactly the primary key (eq on each of its columns)',
  PGRST106: 'the schema asked for (Accept-Profile or Content-Profile) is not one PostgREST serves',
  PGRST107: 'the Content-Type of the body is not one PostgREST accepts',
  PGRST116: 'a single object was asked for (Accept: application/vnd.pgrst.object+json) but not exactly one row matched',
  PGRST200: 'no relationship (foreign key) links the tables of this embedding; check the select and the foreign keys',
  PGRST201: 'more than one relationship links these tables: name the one to embed (table!fk_name)',
  PGRST202: 'no function of this name and these arguments exists in the served schema (a new one? its migration ran?)',
  PGRST203: 'several functions of this name match the arguments: overloads need distinct argument names or types',
  PGRST204: 'a column named in the body or in columns= does not exist on the table',
  PGRST205: 'no table or view of this name exists in the served schema (a typo, or a migration not applied)',
  PGRST301: 'the token could not be decoded or verified by PostgREST',
  PGRST302: 'the request needs a token and none was sent',
};

const POSTGRES: Record<string, string> = {
  '42501':
    'permission denied: the role lacks a GRANT on the table, or a new row fails a row-level security policy (WITH CHECK)',
  '42P01': 'the table does not exist',
  '42703': 'a column named in the request does not exist',
  '42883': 'a function or operator does not exist for these argument types (a cast may be missing)',
  '23505': 'a unique constraint is violated: a row with this key exists already',
  '23503': 'a foreign key is violated: the referenced row does not exist (or rows still refer to this one)',
  '23502': 'a NOT NULL column was left empty',
  '23514': 'a CHECK constraint rejected the row',
  '22P02': 'a value is not valid for its column type (text where a number or uuid is expected)',
  '22001': 'a value is too long for its column',
  '57014': 'the statement ran past its statement_timeout and was cancelled',
  '40001': 'a serialization failure: the transaction conflicted with another; retry it',
  '40P01': 'a deadlock was detected; retry the request',
  P0001: "a RAISE EXCEPTION in the database (a trigger or function of the project's) refused the request",
  '25006': 'a write was attempted in a read-only transaction (a GET calls a function that writes?)',
};

const GATEWAY: Record<string, string> = {
  token_missing: 'no Authorization: Bearer header was sent',
  token_expired: 'the token has expired: log in again (POST /auth/login) or refresh it',
  token_invalid: 'the token is malformed, signed by another key, or lacks the claims the gateway needs',
  token_too_large: 'the Authorization header is larger than any token the gateway issues',
  token_not_yet_valid: 'the token is not valid yet (its nbf is in the future: a clock skew?)',
  session_revoked:
    'the token was retired: its session logged out, or its user was disabled, deleted or given a new role',
  forbidden: "the tenant's RBAC policy has no rule allowing this method on this path for the caller's role",
  cross_tenant_write: "the body names another tenant's id in the tenant column: a tenant writes only its own rows",
  rate_limited: "the tenant's share of the upstream is full (its plan's concurrency); retry after a moment",
  overloaded: 'the upstream is busy for every tenant; retry after a moment',
  misdirected_request: 'the Host header is not one the gateway answers to (DNS rebinding protection)',
  cross_origin_refused: 'a write from a page of another site is refused',
  unknown_table: 'no table, view or rpc/<function> of this name is served',
};

/** The meaning of a code an answer carried (PostgREST's, PostgreSQL's or the gateway's); undefined when unknown. */
export function meaningOf(code: string): string | undefined {
  return POSTGREST[code] ?? POSTGRES[code] ?? GATEWAY[code];
}
