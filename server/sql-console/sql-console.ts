import type pg from 'pg';
import type { Static } from 'typebox';
import type { SqlResultSchema } from '../api/schemas/sql.js';
import { DB_ROLE } from '../auth/tokens.js';
import { DomainError } from '../errors.js';
import type { UserAdmin } from '../users/user-admin.js';

export type SqlResult = Static<typeof SqlResultSchema>;

const MAX_ROWS = 500;
const STATEMENT_TIMEOUT = '5s';

/**
 * The read-only SQL console. A statement runs in a read-only transaction that is always rolled back, as the chosen
 * user would through PostgREST: the connection is PostgREST's own login role (authenticator: no rights of its own),
 * switched to the user's database role with their claims set, so row-level security decides what comes back. One
 * statement per call (the extended protocol refuses several), so nothing can end the transaction early.
 */
export class SqlConsole {
  constructor(
    /** As PostgREST connects: authenticator. */
    private readonly asUsers: () => pg.Pool,
    /** The owner's pool: the admin's all-tenants view. */
    private readonly owner: pg.Pool,
    private readonly users: UserAdmin,
  ) {}

  async run(input: { as?: string; allTenants?: boolean; sql: string }): Promise<SqlResult> {
    if (!input.as && !input.allTenants)
      throw new DomainError(
        'invalid',
        'who_missing',
        'say who runs it: "as" (a user id or email), or allTenants: true',
      );
    if (input.as && input.allTenants)
      throw new DomainError('invalid', 'who_ambiguous', '"as" and allTenants exclude each other');
    const user = input.as ? await this.users.get(input.as) : undefined;
    const client = await (user ? this.asUsers() : this.owner).connect();
    // A connection Postgres ends while it is held (a restart) reports here, not as an unhandled error.
    let broken = false;
    const onError = () => {
      broken = true;
    };
    client.on('error', onError);
    const started = performance.now();
    try {
      await client.query(`begin transaction read only; set local statement_timeout = '${STATEMENT_TIMEOUT}'`);
      if (user)
        await client.query(
          `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
             set_config('search_path', 'api, public', true)`,
          [
            DB_ROLE[user.role],
            JSON.stringify({ sub: user.id, email: user.email, tenant_id: user.tenant_id, role: user.role }),
          ],
        );
      else await client.query(`set local search_path = api, public`);
      // @types/pg does not list queryMode yet (pg 8.12+ honours it): the extended protocol takes one statement.
      const query = { text: input.sql, queryMode: 'extended', rowMode: 'array' } as pg.QueryArrayConfig;
      const result: pg.QueryArrayResult = await client.query(query).catch((err: Error) => {
        throw sqlError(err);
      });
      const columns = result.fields.map((f) => ({ name: f.name, type: typeName(f.dataTypeID) }));
      const rows = (result.rows as unknown[][])
        .slice(0, MAX_ROWS)
        .map((r) => Object.fromEntries(columns.map((c, i) => [c.name, printable(r[i])])));
      return {
        ranAs: user
          ? `${user.email} (tenant ${user.tenant_name}, role ${user.role})`
          : 'all tenants (bypasses isolation)',
        role: user ? DB_ROLE[user.role] : 'owner',
        bypassesIsolation: !user,
        command: result.command ?? '',
        columns,
        rows,
        rowCount: result.rowCount ?? result.rows.length,
        truncated: result.rows.length > MAX_ROWS,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
    } finally {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      client.off('error', onError);
      client.release(broken); // a broken connection is dropped, not handed to the next statement
    }
  }
}

/** Postgres' own words for what went wrong, as a 400: a write refused, a syntax error, a denied table. */
function sqlError(err: Error): DomainError {
  const e = err as Error & { code?: string; position?: string; hint?: string };
  const readOnly = e.code === '25006';
  return new DomainError(
    'invalid',
    readOnly ? 'read_only' : 'sql_error',
    readOnly
      ? `the console is read-only: ${e.message}; nothing was changed (write through the data browser, as a user)`
      : e.message,
    {
      ...(e.code ? { sqlstate: e.code } : {}),
      ...(e.position ? { position: Number(e.position) } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
    },
  );
}

const TYPES: Record<number, string> = {
  16: 'bool',
  20: 'int8',
  21: 'int2',
  23: 'int4',
  25: 'text',
  114: 'json',
  700: 'float4',
  701: 'float8',
  1043: 'varchar',
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
  1700: 'numeric',
  2950: 'uuid',
  3802: 'jsonb',
};
const typeName = (oid: number) => TYPES[oid] ?? `oid ${oid}`;

/** JSON-safe: dates as ISO text, bigints and buffers as text. */
function printable(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return value;
}
