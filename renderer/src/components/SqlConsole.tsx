import { type FormEvent, useState } from 'react';
import type { SqlResultView } from '../../../server/api/contract';
import { api } from '../api';
import { useTenantSession } from '../session';
import { useAction } from '../use-action';
import { ErrorNotice } from './Notice';
import { RowsTable } from './RowsTable';

/**
 * The read-only SQL console: one statement as the user the dashboard acts as (their role and claims, so RLS decides
 * what comes back), or across tenants for the admin, said to bypass isolation. Always rolled back.
 */
export function SqlConsole({ allTenants, initialSql }: { allTenants: boolean; initialSql?: string }) {
  const { session } = useTenantSession();
  const [sql, setSql] = useState(initialSql ?? 'select * from products limit 20');
  const [result, setResult] = useState<SqlResultView>();
  const { busy, error, run } = useAction();
  const who = allTenants ? undefined : session?.email;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setResult(undefined);
    void run(async () => setResult(await api.sql(who ? { as: who, sql } : { allTenants: true, sql })));
  };
  return (
    <form onSubmit={submit} className="sql-console" data-testid="sql-console">
      <h2>SQL console (read-only)</h2>
      <p className="muted">
        {who
          ? `Runs as ${who}: their database role and claims, so row-level security applies. Rolled back, always.`
          : allTenants
            ? 'Runs across every tenant as the database owner: this bypasses isolation. Read-only, rolled back.'
            : 'Choose a tenant user in the sidebar (or all tenants) to run a statement as them.'}
      </p>
      <textarea
        value={sql}
        onChange={(e) => setSql(e.target.value)}
        rows={4}
        spellCheck={false}
        aria-label="SQL"
        data-testid="sql-text"
      />
      <div>
        <button type="submit" className="primary" disabled={busy || (!who && !allTenants)}>
          Run
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {result ? (
        <div data-testid="sql-result">
          <p className="muted">
            {result.command} · {result.rowCount} row{result.rowCount === 1 ? '' : 's'}
            {result.truncated ? ` (the first ${result.rows.length} shown)` : ''} · {result.durationMs} ms · as{' '}
            {result.ranAs}
          </p>
          <RowsTable rows={result.rows} columns={result.columns.map((c) => c.name)} testId="sql-rows" />
        </div>
      ) : null}
    </form>
  );
}
