// A project's migrations: apprun/migrations/*.sql, applied in file-name order, each once, in its own transaction,
// recorded with its checksum. Inside that transaction the platform refuses any change to its own objects (an event
// trigger, while apprun.migration = 'project') and, before commit, anything in `api` a tenant could reach that is not
// tenant-safe (apprun.tenant_safety()): a refused migration leaves nothing behind.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { postgreSplitterOptions, splitQuery } from 'dbgate-query-splitter';
import type pg from 'pg';

export interface MigrationFile {
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

/** A migration file name: what `apprun migration new` writes is `<UTC timestamp>_<name>.sql`. */
const MIGRATION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}\.sql$/;

/** One problem apprun.tenant_safety() found, with the SQL that fixes it. */
export interface SafetyProblem {
  object: string;
  kind: string;
  problem: string;
  fix: string;
}

/** A migration or seed that could not be applied: the file, the line when Postgres says where, and why. */
export class MigrationError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly safety: SafetyProblem[] = [],
  ) {
    super(`${file}${line ? `:${line}` : ''}: ${reason}`);
  }
}

export const checksumOf = (sql: string) => createHash('sha256').update(sql).digest('hex');

/**
 * Whether a file says anything but comments. One that does not (what `apprun migration new` writes) waits: applying
 * it would record it, and the developer's edit a moment later would be an edit of an applied migration.
 */
export const hasStatements = (sql: string) =>
  sql
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/--[^\n]*/g, '')
    .trim().length > 0;

/** The migration files of a folder, in the order they apply; a name that cannot be one is an error naming it. */
export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const names = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      if (!MIGRATION_NAME.test(name))
        throw new MigrationError(
          name,
          'is not a migration file name: letters, digits, _ . - and .sql (`apprun migration new NAME` writes one)',
        );
      const file = path.join(dir, name);
      const sql = await fs.readFile(file, 'utf8');
      return { name, file, sql, checksum: checksumOf(sql) };
    }),
  );
}

/** What is recorded as applied in this database, by name. */
export async function appliedMigrations(
  client: pg.ClientBase,
): Promise<Map<string, { checksum: string; appliedAt: Date }>> {
  const { rows } = await client.query<{ name: string; checksum: string; applied_at: Date }>(
    'select name, checksum, applied_at from app_private.project_migrations order by name',
  );
  return new Map(rows.map((r) => [r.name, { checksum: r.checksum, appliedAt: r.applied_at }]));
}

/** One statement of a file: its text, the line (1-based) the text starts on, and the line its code starts on. */
export interface Statement {
  text: string;
  textLine: number;
  line: number;
}

const LEADING_COMMENTS = /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/;

/**
 * A file's statements, split as psql would (quotes, dollar-quoted bodies and comments respected), so each can be run
 * on its own and an error that Postgres gives no position for (a broken constraint) still names its line.
 */
export function statementsOf(sql: string): Statement[] {
  const items = splitQuery(sql, { ...postgreSplitterOptions, returnRichInfo: true }) as {
    text: string;
    trimStart?: { line: number };
    start: { line: number };
  }[];
  return items
    .filter((item) => hasStatements(item.text))
    .map((item) => {
      const textLine = (item.trimStart ?? item.start).line + 1;
      const lead = LEADING_COMMENTS.exec(item.text)![0];
      return { text: item.text, textLine, line: textLine + lead.split('\n').length - 1 };
    });
}

/** The line of a character position (1-based, as Postgres reports it) in a file's text. */
export function lineAt(sql: string, position: number | string | undefined): number | undefined {
  const at = Number(position);
  if (!Number.isInteger(at) || at < 1) return undefined;
  let line = 1;
  for (let i = 0; i < Math.min(at - 1, sql.length); i++) if (sql.charCodeAt(i) === 10) line++;
  return line;
}

/** Postgres' message for a failed statement, with its detail, hint and where-context when it has them. */
function postgresReason(err: pg.DatabaseError): string {
  const parts = [err.message];
  if (err.detail) parts.push(err.detail);
  if (err.hint) parts.push(`hint: ${err.hint}`);
  // Where in a function or DO block it failed; not where the platform's own check raised it.
  if (err.where && !/^SQL statement|app_private\./.test(err.where)) parts.push(`(${err.where.split('\n')[0]})`);
  return parts.join('; ');
}

export function describeSafety(problems: SafetyProblem[]): string {
  return problems.map((p) => `  ${p.object} (${p.kind}) ${p.problem}\n    fix: ${p.fix}`).join('\n');
}

/** The platform's privileges and roles, as app_private.platform_fingerprint() reads them. */
export type PlatformFingerprint = ReadonlyMap<string, string>;

async function platformFingerprint(client: pg.ClientBase): Promise<PlatformFingerprint> {
  const { rows } = await client.query<{ object: string; state: string }>(
    'select object, state from app_private.platform_fingerprint()',
  );
  return new Map(rows.map((r) => [r.object, r.state]));
}

/** Sets the project's guard (on for a migration, off for the seed) and says which transaction the client is in. */
async function guardIn(client: pg.ClientBase, guard: 'project' | ''): Promise<string> {
  const { rows } = await client.query<{ x: string }>(
    `select txid_current() as x, set_config('apprun.migration', $1, true)`,
    [guard],
  );
  return rows[0]!.x;
}

/**
 * Runs one file's SQL in the transaction the client is in, with the project's guard on; a failure is a MigrationError
 * naming the file and the line. Guarded, it returns the platform's fingerprint after the file, unchanged from
 * `before` (read here when not given: a batch passes the previous file's).
 */
async function runFile(
  client: pg.ClientBase,
  file: string,
  sql: string,
  guarded: boolean,
  known?: PlatformFingerprint,
): Promise<PlatformFingerprint | undefined> {
  const before = guarded ? (known ?? (await platformFingerprint(client))) : undefined;
  const mine = await guardIn(client, guarded ? 'project' : '');
  for (const statement of statementsOf(sql)) {
    try {
      await client.query(statement.text);
    } catch (err) {
      const e = err as pg.DatabaseError;
      // A parse error says where in the statement; anything else is the statement's own line.
      const at = lineAt(statement.text, e.position);
      const line = at === undefined ? statement.line : statement.textLine + at - 1;
      throw new MigrationError(file, e.code ? postgresReason(e) : e.message, line);
    }
  }
  if ((await guardIn(client, '')) !== mine)
    throw new MigrationError(
      file,
      'ends the transaction apprun runs it in (BEGIN, COMMIT or ROLLBACK): each file is one transaction already; ' +
        'take those statements out',
    );
  if (!before) return undefined;
  const after = await platformFingerprint(client);
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
  if (changed.length)
    throw new MigrationError(
      file,
      `may not change the platform's privileges or roles: ${changed.join(', ')}; grant and revoke on your own ` +
        'objects in api',
    );
  return after;
}

/**
 * Applies one migration in its own transaction: its SQL (refused if it touches the platform), then the tenant-safety
 * check of everything in `api`, then its record. Any failure rolls everything back. Returns the platform's
 * fingerprint, for the next migration of a batch to start from (`platform`, as the previous one left it).
 */
export async function applyMigration(
  client: pg.ClientBase,
  m: MigrationFile,
  platform?: PlatformFingerprint,
): Promise<PlatformFingerprint> {
  await client.query('begin');
  try {
    const after = (await runFile(client, m.name, m.sql, true, platform))!;
    const { rows } = await client.query<SafetyProblem>('select * from apprun.tenant_safety()');
    if (rows.length)
      throw new MigrationError(
        m.name,
        `refused: what it leaves in api is not tenant-safe\n${describeSafety(rows)}`,
        undefined,
        rows,
      );
    await client.query('insert into app_private.project_migrations (name, checksum) values ($1, $2)', [
      m.name,
      m.checksum,
    ]);
    await client.query('commit');
    return after;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/** Runs the seed with full rights, in one transaction; a failure names seed.sql and the line. */
export async function runSeed(client: pg.ClientBase, name: string, sql: string): Promise<void> {
  await client.query('begin');
  try {
    await runFile(client, name, sql, false);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  }
}

/**
 * The applied migrations that were edited (or removed) since: an error naming the first, with the fix. A file that was
 * applied and is gone is fine (its effect stays); one whose bytes changed is not.
 */
export function editedMigration(
  files: readonly MigrationFile[],
  applied: ReadonlyMap<string, { checksum: string }>,
): MigrationError | undefined {
  const edited = files.find((f) => applied.has(f.name) && applied.get(f.name)!.checksum !== f.checksum);
  if (!edited) return undefined;
  return new MigrationError(
    edited.name,
    'was edited after it was applied to this database, so the database no longer matches it; undo the edit and put ' +
      'the change in a new migration (`apprun migration new NAME`), or rebuild the database from the migrations as ' +
      'they are now with `apprun db reset` (its data goes back to the seed)',
  );
}

/** `apprun migration new NAME`'s file name: the UTC time to the second, then the name in snake case. */
export function newMigrationName(name: string, now = new Date()): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
  if (!slug) throw new Error(`"${name}" makes no migration name: use letters and digits, e.g. add_notes`);
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${stamp}_${slug}.sql`;
}
