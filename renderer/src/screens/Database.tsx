import { useState } from 'react';
import type { MigrationStateView, ProjectView, TableView } from '../../../server/api/contract';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';
import { rowsSummary, VERDICT_LABEL } from './database-model';

const STATE_LABEL: Record<MigrationStateView['state'], string> = {
  applied: 'applied',
  pending: 'pending',
  edited: 'edited after it was applied',
  failed: 'failed',
};

function Migrations({ migrations }: { migrations: ProjectView['migrations'] }) {
  if (!migrations.length) return <Empty>No migrations yet: `apprun migration new NAME` writes one.</Empty>;
  return (
    <table data-testid="migrations">
      <thead>
        <tr>
          <th>migration</th>
          <th>state</th>
          <th>applied</th>
        </tr>
      </thead>
      <tbody>
        {migrations.map((m) => (
          <tr key={m.name} data-state={m.state}>
            <td>
              <code>{m.name}</code>
              {m.error && <pre className="error-detail">{m.error}</pre>}
            </td>
            <td>
              <span
                className={`badge badge-${m.state === 'applied' ? 'healthy' : m.state === 'pending' ? 'starting' : 'failed'}`}
              >
                {STATE_LABEL[m.state]}
              </span>
            </td>
            <td>{m.appliedAt ? new Date(m.appliedAt).toLocaleString() : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Tables({ tables }: { tables: TableView[] }) {
  if (!tables.length) return <Empty>Schema api has no table or view yet.</Empty>;
  return (
    <table data-testid="tables">
      <thead>
        <tr>
          <th>table</th>
          <th>tenant safety</th>
          <th>rows</th>
        </tr>
      </thead>
      <tbody>
        {tables.map((t) => (
          <tr key={t.name} data-verdict={t.verdict}>
            <td>
              <code>api.{t.name}</code> <small>{t.kind}</small>
            </td>
            <td>
              <span
                className={`badge badge-${t.verdict === 'unsafe' ? 'failed' : t.verdict === 'safe' ? 'healthy' : 'stopped'}`}
              >
                {VERDICT_LABEL[t.verdict]}
              </span>
              {t.problems.map((p) => (
                <div key={p.problem} className="error-detail">
                  {p.problem}
                  <br />
                  fix: <code>{p.fix}</code>
                </div>
              ))}
            </td>
            <td>{rowsSummary(t)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The project's database: its migrations, its tables with their tenant-safety verdict, its types; db reset. */
export function Database() {
  const project = usePoll(() => api.project(), 3000);
  const [types, setTypes] = useState<string>();
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string>();
  const { busy, error, run } = useAction();

  if (project.loading && !project.data) return <Loading what="the project" />;
  if (!project.data) return project.error ? <ErrorNotice error={project.error} /> : null;
  const p = project.data;
  const showTypes = () =>
    void run(async () => {
      setTypes(await api.projectTypes());
      setCopied(false);
    });
  const copy = async () => {
    await navigator.clipboard?.writeText(types ?? '').catch(() => undefined);
    setCopied(true);
  };
  const reset = () => {
    setConfirming(false);
    void run(async () => {
      setDone(undefined);
      const r = await api.resetDatabase(false);
      setDone(`database reset to the migrations and seed in ${r.ms} ms`);
      project.refresh();
    });
  };
  return (
    <section>
      <h1>Database</h1>
      <p>
        Project <strong data-testid="project-name">{p.name}</strong>{' '}
        {p.builtIn ? '(the built-in demo: `apprun init` makes a project of your own)' : <code>{p.dir}</code>}
      </p>
      {error && <ErrorNotice error={error} />}
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}
      <h2>Migrations</h2>
      <Migrations migrations={p.migrations} />
      <h2>Tables</h2>
      <Tables tables={p.tables} />
      <h2>Types</h2>
      <p>
        The <code>Database</code> type for <code>@supabase/postgrest-js</code> (<code>apprun gen types --out FILE</code>{' '}
        writes it).
      </p>
      <div className="actions">
        <button type="button" onClick={showTypes} disabled={busy}>
          generate types
        </button>
        {types && (
          <button type="button" onClick={copy}>
            {copied ? 'copied' : 'copy'}
          </button>
        )}
        <button type="button" className="danger" onClick={() => setConfirming(true)} disabled={busy}>
          reset the database…
        </button>
      </div>
      {types && (
        <pre className="code" data-testid="types">
          {types}
        </pre>
      )}
      {p.events.length > 0 && (
        <>
          <h2>Recent changes from the folder</h2>
          <ul className="events" data-testid="events">
            {p.events.slice(0, 10).map((e) => (
              <li key={`${e.at}-${e.message}`} className={e.ok ? '' : 'error-detail'}>
                {new Date(e.at).toLocaleTimeString()} {e.file ? `${e.file}${e.line ? `:${e.line}` : ''}: ` : ''}
                {e.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <ConfirmDialog
        open={confirming}
        danger
        title="reset the database?"
        body="The database goes back to the project's migrations and seed. Rows, users who signed up and deployed functions are gone (the folder's functions are deployed again)."
        confirmLabel="reset"
        onConfirm={reset}
        onCancel={() => setConfirming(false)}
      />
    </section>
  );
}
