/** Rows as a table: a column per key of the rows (in the first row's order), values as text; scrolls inside itself. */
export function RowsTable({
  rows,
  columns = columnsOf(rows),
  testId,
  actions,
}: {
  rows: Record<string, unknown>[];
  columns?: string[];
  testId: string;
  actions?: (row: Record<string, unknown>) => React.ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table className="ports rows" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
            {actions ? <th scope="col" aria-label="actions" /> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of an arbitrary table have no known key
            <tr key={i}>
              {columns.map((c) => (
                <td key={c}>{cellText(row[c])}</td>
              ))}
              {actions ? <td className="actions-cell">{actions(row)}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const columnsOf = (rows: Record<string, unknown>[]): string[] => [
  ...new Set(rows.flatMap((r) => Object.keys(r))),
];

/** A cell as text: null shown as such, objects as JSON. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
