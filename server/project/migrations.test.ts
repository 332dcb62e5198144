import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checksumOf,
  editedMigration,
  hasStatements,
  lineAt,
  MigrationError,
  newMigrationName,
  readMigrations,
  statementsOf,
} from './migrations.js';

describe('migration files', () => {
  it('are read in name order, with their checksums; a name that cannot be one is refused by name', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-migrations-'));
    try {
      await fs.writeFile(path.join(dir, '20260102000000_b.sql'), 'select 2;');
      await fs.writeFile(path.join(dir, '20260101000000_a.sql'), 'select 1;');
      await fs.writeFile(path.join(dir, 'notes.txt'), 'not a migration');
      const files = await readMigrations(dir);
      expect(files.map((f) => f.name)).toEqual(['20260101000000_a.sql', '20260102000000_b.sql']);
      expect(files[0]!.checksum).toBe(checksumOf('select 1;'));
      await fs.writeFile(path.join(dir, 'bad name.sql'), '');
      await expect(readMigrations(dir)).rejects.toThrow(/bad name\.sql: is not a migration file name/);
      expect(await readMigrations(path.join(dir, 'missing'))).toEqual([]);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('an applied file whose bytes changed is an error naming it and both fixes', () => {
    const files = [{ name: 'a.sql', file: '/a.sql', sql: 'x', checksum: checksumOf('x') }];
    expect(editedMigration(files, new Map([['a.sql', { checksum: checksumOf('x') }]]))).toBeUndefined();
    const err = editedMigration(files, new Map([['a.sql', { checksum: checksumOf('y') }]]));
    expect(err).toBeInstanceOf(MigrationError);
    expect(err!.message).toMatch(/^a\.sql: was edited after it was applied/);
    expect(err!.message).toMatch(/apprun migration new NAME/);
    expect(err!.message).toMatch(/apprun db reset/);
  });

  it('lines come from Postgres’ character positions', () => {
    const sql = 'create table a ();\n\nselect from nothere;\n';
    expect(lineAt(sql, sql.indexOf('nothere') + 1)).toBe(3);
    expect(lineAt(sql, '1')).toBe(1);
    expect(lineAt(sql, undefined)).toBeUndefined();
  });

  it('a file of comments only waits to be written', () => {
    expect(hasStatements('-- later\n/* a\nblock */\n')).toBe(false);
    expect(hasStatements('-- a table\ncreate table api.x (id int);')).toBe(true);
  });

  it('`migration new` names files by the UTC time and a snake-case name', () => {
    const at = new Date('2026-12-06T17:05:09.123Z');
    expect(newMigrationName('Add notes!', at)).toBe('20261206170509_add_notes.sql');
    expect(() => newMigrationName('!!!', at)).toThrow(/makes no migration name/);
  });
});

describe('statementsOf', () => {
  it('splits as psql would, each with the line its code starts on', () => {
    const sql =
      '-- notes\ncreate table api.a (x int);\n\ncreate function api.f() returns int language plpgsql as $$\n' +
      'begin return 1; end $$;\n/* a; b */\ninsert into api.a values (1); -- done\n';
    expect(statementsOf(sql).map((s) => [s.line, s.text.replace(/\s+/g, ' ').slice(0, 30)])).toEqual([
      [2, '-- notes create table api.a (x'],
      [4, 'create function api.f() return'],
      [7, '/* a; b */ insert into api.a v'],
    ]);
  });
});
