/** A PostgREST path for a table and what the developer typed as its query (`order=id.desc&done=is.false`). */
export function browsePath(table: string, query: string): string {
  const q = query.trim().replace(/^\?/, '');
  const params = new URLSearchParams(q);
  if (!params.has('limit')) params.set('limit', '50');
  return `${encodeURIComponent(table)}?${params.toString()}`;
}

/** The filter that names one row: its `id`, when the table has one. */
export function rowFilter(row: Record<string, unknown>): string | undefined {
  const id = row.id;
  if (id === undefined || id === null || typeof id === 'object') return undefined;
  return `id=eq.${encodeURIComponent(String(id))}`;
}

/** A JSON object typed by the developer, or a sentence that says what is wrong with it. */
export function parseRow(text: string): { row: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { error: 'a row is one JSON object: {"column": value, …}' };
  return { row: value as Record<string, unknown> };
}

/** A row as the JSON to edit: without the columns the database fills (id, tenant_id, created_at). */
export function editableJson(row: Record<string, unknown>): string {
  const { id: _id, tenant_id: _tenant, created_at: _created, ...rest } = row;
  return JSON.stringify(rest, null, 2);
}
