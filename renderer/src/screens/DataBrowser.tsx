import { type FormEvent, useState } from 'react';
import type { DataPageView, TableView } from '../../../server/api/contract';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { RowsTable } from '../components/RowsTable';
import { SqlConsole } from '../components/SqlConsole';
import { SignedInAs, type TenantSession, useTenantSession } from '../session';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';
import { browsePath, editableJson, parseRow, rowFilter } from './data-browser-model';
import { VERDICT_LABEL } from './database-model';

/** A JSON row editor: insert a new row, or change one. */
function RowEditor({
  initial,
  label,
  onSave,
  onCancel,
}: {
  initial: string;
  label: string;
  onSave: (row: Record<string, unknown>) => Promise<void>;
  onCancel?: () => void;
}) {
  const [text, setText] = useState(initial);
  const [invalid, setInvalid] = useState<string>();
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const parsed = parseRow(text);
    if ('error' in parsed) return setInvalid(parsed.error);
    setInvalid(undefined);
    void run(() => onSave(parsed.row));
  };
  return (
    <form onSubmit={submit} className="row-editor" data-testid="row-editor">
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={4}
        spellCheck={false}
        aria-label={label}
        data-testid="row-json"
      />
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {label}
        </button>{' '}
        {onCancel ? (
          <button type="button" onClick={onCancel}>
            cancel
          </button>
        ) : null}
      </div>
      {invalid ? <p className="error-detail">{invalid}</p> : null}
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

/** One table's rows as the acting user sees them through the gateway (RLS and RBAC apply), and their edits. */
function TableRows({ table, session }: { table: TableView; session: TenantSession }) {
  const [query, setQuery] = useState('order=id.desc');
  const [applied, setApplied] = useState(query);
  const [editing, setEditing] = useState<Record<string, unknown>>();
  const [deleting, setDeleting] = useState<Record<string, unknown>>();
  const page = usePoll<DataPageView>(() => api.data(session.token, 'GET', browsePath(table.name, applied)), 0, [
    table.name,
    applied,
    session.token,
  ]);
  const { error, run } = useAction();
  const writable = table.kind === 'table';
  const change = (fn: () => Promise<unknown>) =>
    run(async () => {
      await fn();
      setEditing(undefined);
      page.refresh();
    });
  return (
    <div data-testid={`browse-${table.name}`}>
      <form
        className="toolbar wrap"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied(query);
          page.refresh();
        }}
      >
        <label className="grow">
          Filter and sort (PostgREST){' '}
          <input
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="order=id.desc&title=ilike.*milk*"
            spellCheck={false}
            data-testid="browse-query"
          />
        </label>
        <button type="submit">apply</button>
      </form>
      {page.error ? <ErrorNotice error={page.error} /> : null}
      {error ? <ErrorNotice error={error} /> : null}
      {page.data ? (
        <>
          <p className="muted" data-testid="browse-count">
            {page.data.rows.length} of {page.data.total ?? '?'} rows visible to {session.email}
          </p>
          {page.data.rows.length ? (
            <RowsTable
              rows={page.data.rows}
              testId="browse-rows"
              actions={
                writable
                  ? (row) =>
                      rowFilter(row) ? (
                        <>
                          <button type="button" onClick={() => setEditing(row)}>
                            edit
                          </button>
                          <button type="button" className="danger" onClick={() => setDeleting(row)}>
                            delete…
                          </button>
                        </>
                      ) : (
                        <span className="muted">no id column</span>
                      )
                  : undefined
              }
            />
          ) : (
            <Empty>No row visible to {session.email} here.</Empty>
          )}
        </>
      ) : (
        <Loading what="the rows" />
      )}
      {editing ? (
        <RowEditor
          key={String(editing.id)}
          initial={editableJson(editing)}
          label={`save row ${String(editing.id)}`}
          onCancel={() => setEditing(undefined)}
          onSave={(row) => change(() => api.data(session.token, 'PATCH', `${table.name}?${rowFilter(editing)}`, row))}
        />
      ) : writable ? (
        <details>
          <summary>Insert a row as {session.email}</summary>
          <RowEditor
            initial="{}"
            label="insert"
            onSave={(row) => change(() => api.data(session.token, 'POST', table.name, row))}
          />
        </details>
      ) : null}
      <ConfirmDialog
        open={deleting !== undefined}
        danger
        title={`Delete row ${String(deleting?.id ?? '')} of ${table.name}?`}
        body={`As ${session.email}: the row is deleted for good (a snapshot can bring it back).`}
        confirmLabel="delete the row"
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => {
          const row = deleting!;
          setDeleting(undefined);
          void change(() => api.data(session.token, 'DELETE', `${table.name}?${rowFilter(row)}`));
        }}
      />
    </div>
  );
}

/**
 * The project's data as a chosen user sees it: the tables of the exposed schema with their tenant-safety verdict,
 * rows through the gateway as that user (filters and sort in PostgREST's syntax), insert, edit and delete as them,
 * and a read-only SQL console; the admin's all-tenants view says it bypasses isolation.
 */
export function DataBrowser() {
  const project = usePoll(() => api.project(), 10_000);
  const { session } = useTenantSession();
  const [selected, setSelected] = useState<string>();
  const [allTenants, setAllTenants] = useState(false);
  if (project.loading && !project.data) return <Loading what="the tables" />;
  if (!project.data) return <ErrorNotice error={project.error!} />;
  const tables = project.data.tables;
  const table = tables.find((t) => t.name === selected) ?? tables[0];
  return (
    <section aria-labelledby="data-title">
      <h1 id="data-title">Data</h1>
      <label className="all-tenants">
        <input
          type="checkbox"
          checked={allTenants}
          onChange={(e) => setAllTenants(e.target.checked)}
          data-testid="all-tenants"
        />{' '}
        all tenants (admin: <strong>bypasses isolation</strong>, read-only)
      </label>
      {allTenants ? null : session ? (
        <SignedInAs />
      ) : (
        <p className="notice">
          Choose a tenant user under “Tenant user” in the sidebar: rows show as that user’s app sees them.
        </p>
      )}
      <div className="browser">
        <nav aria-label="tables" className="table-list">
          {tables.map((t) => (
            <button
              key={t.name}
              type="button"
              className="link"
              aria-current={t.name === table?.name ? 'true' : undefined}
              onClick={() => setSelected(t.name)}
              data-testid={`table-${t.name}`}
            >
              {t.name}{' '}
              <span className={`verdict verdict-${t.verdict === 'unsafe' ? 'fail' : 'pass'}`}>
                {VERDICT_LABEL[t.verdict]}
              </span>
            </button>
          ))}
        </nav>
        <div className="grow">
          {!table ? (
            <Empty>Schema api has no table yet: add one in a migration.</Empty>
          ) : allTenants ? (
            <SqlConsole
              key={`all-${table.name}`}
              allTenants
              initialSql={`select * from "${table.name.replaceAll('"', '""')}" limit 50`}
            />
          ) : session ? (
            <TableRows key={table.name} table={table} session={session} />
          ) : null}
        </div>
      </div>
      {allTenants ? null : <SqlConsole allTenants={false} />}
    </section>
  );
}
