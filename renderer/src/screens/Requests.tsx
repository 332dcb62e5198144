import { useState } from 'react';
import type { ExplanationView, TraceSummaryView } from '../../../server/api/views';
import { api } from '../api';
import { ExplanationPanel } from '../components/ExplanationPanel';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { Waterfall } from '../components/Waterfall';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';
import { duration, type RequestFilters, type StatusFilter, statusClass, tracesQuery } from './requests-model';

/** One kept request: its waterfall, and why it got what it got (the explainer, on demand). */
function RequestDetail({ summary, onClose }: { summary: TraceSummaryView; onClose: () => void }) {
  const detail = usePoll(() => api.trace(summary.traceId), 0, [summary.traceId]);
  const [explanation, setExplanation] = useState<ExplanationView>();
  const { busy, error, run } = useAction();
  return (
    <section className="request-detail" aria-label="request detail" data-testid="request-detail">
      <header className="toolbar">
        <h2>
          {summary.method} {summary.url}
        </h2>
        <button type="button" onClick={onClose}>
          close
        </button>
      </header>
      <p className="muted">
        trace <code>{summary.traceId}</code> · {new Date(summary.startedAt).toLocaleTimeString()} ·{' '}
        {summary.user ?? 'no caller'} · {duration(summary.durationMs)}
        {detail.data?.parentSpanId ? ` · continues the caller's span ${detail.data.parentSpanId}` : ''}
      </p>
      {detail.error ? <ErrorNotice error={detail.error} /> : null}
      {detail.data ? <Waterfall trace={detail.data} /> : <Loading what="the spans" />}
      <p>
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(async () => setExplanation(await api.explain({ traceId: summary.traceId })))}
        >
          {busy ? 'explaining…' : 'Explain'}
        </button>{' '}
        <span className="muted">
          Sends it again as {summary.user ?? 'its caller'} (a write in a transaction that is rolled back), counts what
          row-level security hides, names the rule that allowed or is missing.
        </span>
      </p>
      {error ? <ErrorNotice error={error} /> : null}
      {explanation ? <ExplanationPanel explanation={explanation} /> : null}
    </section>
  );
}

/** The last requests through the gateway, live, with filters; one request's waterfall and its explanation. */
export function Requests() {
  const [filters, setFilters] = useState<RequestFilters>({ status: '', path: '', tenant: '', slowOnly: false });
  const [paused, setPaused] = useState(false);
  const [selected, setSelected] = useState<TraceSummaryView>();
  const [slowMs, setSlowMs] = useState(500);
  const list = usePoll(
    async () => {
      const view = await api.traces(tracesQuery(filters, slowMs));
      setSlowMs(view.slowMs);
      return view;
    },
    paused ? 0 : 2000,
    [filters, paused],
  );
  const set = (change: Partial<RequestFilters>) => setFilters((f) => ({ ...f, ...change }));
  return (
    <section aria-labelledby="requests-title">
      <h1 id="requests-title">Requests</h1>
      <p className="muted">
        Every request through the gateway's tenant API (/data, /functions, /workflows, /storage, /auth), newest first:
        the last {list.data?.capacity ?? '…'} of them, and the last {list.data?.notableCapacity ?? '…'} failed or slow
        ones. Each answer carries its <code>traceparent</code> and <code>Server-Timing</code>.
      </p>
      {list.data && !list.data.enabled ? (
        <p className="notice">
          Tracing is off (APPRUN_TRACING=off or PUT /api/traces/settings): no new requests are kept.
        </p>
      ) : null}
      <form className="toolbar wrap" aria-label="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          status{' '}
          <select value={filters.status} onChange={(e) => set({ status: e.target.value as StatusFilter })}>
            <option value="">any</option>
            <option value="error">failed (4xx, 5xx, aborted)</option>
            <option value="2xx">2xx</option>
            <option value="4xx">4xx</option>
            <option value="5xx">5xx</option>
          </select>
        </label>
        <label>
          path <input value={filters.path} placeholder="/data/notes" onChange={(e) => set({ path: e.target.value })} />
        </label>
        <label>
          tenant{' '}
          <input value={filters.tenant} placeholder="name or id" onChange={(e) => set({ tenant: e.target.value })} />
        </label>
        <label>
          <input type="checkbox" checked={filters.slowOnly} onChange={(e) => set({ slowOnly: e.target.checked })} />{' '}
          slow only (≥ {slowMs} ms)
        </label>
        <button type="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? 'resume' : 'pause'}
        </button>
      </form>
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {selected ? (
        <RequestDetail key={selected.traceId} summary={selected} onClose={() => setSelected(undefined)} />
      ) : null}
      {list.loading && !list.data ? (
        <Loading what="the requests" />
      ) : list.data?.traces.length ? (
        <div className="table-scroll">
          <table className="ports" data-testid="requests">
            <thead>
              <tr>
                <th scope="col">time</th>
                <th scope="col">tenant</th>
                <th scope="col">user</th>
                <th scope="col">method</th>
                <th scope="col">path</th>
                <th scope="col">status</th>
                <th scope="col">duration</th>
              </tr>
            </thead>
            <tbody>
              {list.data.traces.map((t) => (
                <tr
                  key={t.traceId}
                  data-testid="request-row"
                  aria-selected={selected?.traceId === t.traceId}
                  className="clickable"
                  onClick={() => setSelected(t)}
                >
                  <td>{new Date(t.startedAt).toLocaleTimeString()}</td>
                  <td>{t.tenantName ?? t.tenant ?? '—'}</td>
                  <td>{t.user ?? '—'}</td>
                  <td>{t.method}</td>
                  <td>
                    <button type="button" className="link" title={t.url}>
                      {t.path}
                    </button>
                  </td>
                  <td>
                    <span className={`badge ${statusClass(t.status, t.aborted)}`}>
                      {t.aborted ? 'aborted' : t.status}
                    </span>
                    {t.error ? <span className="muted"> {t.error}</span> : null}
                  </td>
                  <td className="num">{duration(t.durationMs)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>No requests match yet. Call the tenant API (for example GET /data/…) and they appear here.</Empty>
      )}
    </section>
  );
}
