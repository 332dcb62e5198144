import { describe, expect, it } from 'vitest';
import { browsePath, editableJson, parseRow, rowFilter } from './data-browser-model';

describe('the data browser model', () => {
  it('builds a PostgREST path from what was typed, with a page size unless one is given', () => {
    expect(browsePath('notes', 'order=id.desc&title=ilike.*milk*')).toBe(
      'notes?order=id.desc&title=ilike.*milk*&limit=50',
    );
    expect(browsePath('notes', '?limit=5')).toBe('notes?limit=5');
    expect(browsePath('my table', '')).toBe('my%20table?limit=50');
  });

  it('names a row by its id, or not at all', () => {
    expect(rowFilter({ id: 7, title: 'x' })).toBe('id=eq.7');
    expect(rowFilter({ id: 'a b' })).toBe('id=eq.a%20b');
    expect(rowFilter({ title: 'x' })).toBeUndefined();
    expect(rowFilter({ id: null })).toBeUndefined();
  });

  it('takes one JSON object as a row, and says what is wrong otherwise', () => {
    expect(parseRow('{"title": "milk"}')).toEqual({ row: { title: 'milk' } });
    expect(parseRow('[1]')).toEqual({ error: 'a row is one JSON object: {"column": value, …}' });
    expect(parseRow('{title')).toMatchObject({ error: expect.stringMatching(/^not JSON: /) });
  });

  it('edits a row without the columns the database fills', () => {
    expect(JSON.parse(editableJson({ id: 1, tenant_id: 't', created_at: 'c', title: 'milk', done: false }))).toEqual({
      title: 'milk',
      done: false,
    });
  });
});
