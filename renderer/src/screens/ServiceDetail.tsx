import { useEffect, useRef, useState } from 'react';
import type { ServiceAction, ServiceName } from '../../../server/api/contract';
import { type ApiError, api, toApiError } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { StateBadge } from '../components/StateBadge';
import { saveFile } from '../download';
import { cpu, mb, uptime } from '../format';
import { usePoll } from '../use-poll';
import { type LevelFilter, logLevel, matchingLines } from './log-lines';

const IN_PROGRESS: Record<ServiceAction, string> = { start: 'Starting…', stop: 'Stopping…', restart: 'Restarting…' };

/** One service: its state, a live log tail with a filter, and start/stop/restart with confirmation. */
export function ServiceDetail({ name }: { name: ServiceName }) {
  const stack = usePoll(() => api.stack(), 1000);
  const [paused, setPaused] = useState<string[]>();
  // Paused: the lines stay as they were (no call either), so a line can be read and selected.
  const logs = usePoll(() => api.logs(name, 300), paused ? 3_600_000 : 1000, [name, !!paused]);
  const [filter, setFilter] = useState('');
  const [level, setLevel] = useState<LevelFilter>('all');
  const logBox = useRef<HTMLPreElement>(null);
  const shown = paused ?? logs.data?.lines ?? [];
  // Following: the newest line stays in view.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls when the lines change
  useEffect(() => {
    if (!paused && logBox.current) logBox.current.scrollTop = logBox.current.scrollHeight;
  }, [shown, paused]);
  const [pending, setPending] = useState<ServiceAction>();
  const [running, setRunning] = useState<ServiceAction>();
  const [actionError, setActionError] = useState<ApiError>();

  const service = stack.data?.services.find((s) => s.name === name);
  if (stack.loading && !stack.data) return <Loading what={name} />;
  if (!stack.data) return <ErrorNotice error={stack.error!} />;
  if (!service) return <Empty>No service named “{name}”.</Empty>;

  const act = async (action: ServiceAction) => {
    setPending(undefined);
    setRunning(action);
    setActionError(undefined);
    try {
      await api.control(name, action);
    } catch (err) {
      setActionError(toApiError(err));
    } finally {
      setRunning(undefined);
      stack.refresh();
    }
  };
  const lines = matchingLines(shown, filter, level);
  const downloadLog = async () => {
    const all = await api.logs(name, 2000).catch((err: unknown) => {
      setActionError(toApiError(err));
      throw err;
    });
    saveFile(`${name}.log`, `${all.lines.join('\n')}\n`, 'text/plain');
  };
  return (
    <section aria-labelledby="service-title" data-testid={`service-detail-${name}`}>
      <h1 id="service-title">
        {name} <StateBadge state={service.state} />
      </h1>
      <p className="muted">
        {service.description} · pid <span data-testid="detail-pid">{service.pid ?? '—'}</span> · up{' '}
        {service.state === 'healthy' ? uptime(service.startedAt) : '—'} · restarts {service.restarts} ·{' '}
        {mb(service.usage?.memoryBytes)} · CPU {cpu(service.usage?.cpuPercent)}
      </p>
      {service.lastExit ? <p className="muted">last exit: {service.lastExit.reason}</p> : null}
      {service.failure ? <p className="failure">{service.failure.reason}</p> : null}
      <fieldset className="actions" aria-label="service control">
        {(['start', 'stop', 'restart'] as const).map((action) => (
          <button
            key={action}
            type="button"
            onClick={() => setPending(action)}
            disabled={running !== undefined}
            data-testid={`action-${action}`}
          >
            {running === action ? IN_PROGRESS[action] : action}
          </button>
        ))}
        {running ? (
          <span role="status" className="progress" data-testid="action-progress">
            {running} in progress…
          </span>
        ) : null}
      </fieldset>
      {actionError ? <ErrorNotice error={actionError} /> : null}
      <ConfirmDialog
        open={pending !== undefined}
        title={`${pending} ${name}?`}
        body={
          pending === 'stop'
            ? `Services that depend on ${name} may stop working until it is started again.`
            : `${name} will be unavailable for a moment.`
        }
        confirmLabel={pending ?? ''}
        onConfirm={() => pending && void act(pending)}
        onCancel={() => setPending(undefined)}
      />
      <h2>Logs</h2>
      <label className="filter">
        Filter{' '}
        <input
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          placeholder="text to match"
          data-testid="log-filter"
        />
      </label>{' '}
      <label className="filter">
        Level{' '}
        <select value={level} onChange={(e) => setLevel(e.target.value as LevelFilter)} data-testid="log-level">
          <option value="all">all lines</option>
          <option value="warn">warnings and errors</option>
          <option value="error">errors only</option>
        </select>
      </label>{' '}
      <button
        type="button"
        aria-pressed={!!paused}
        onClick={() => setPaused(paused ? undefined : (logs.data?.lines ?? []))}
        data-testid="log-pause"
      >
        {paused ? 'follow' : 'pause'}
      </button>{' '}
      <button type="button" onClick={() => void downloadLog().catch(() => undefined)} data-testid="log-download">
        download the last 2,000 lines
      </button>
      {logs.error ? <ErrorNotice error={logs.error} /> : null}
      {logs.loading && !logs.data ? (
        <Loading what="logs" />
      ) : lines.length === 0 ? (
        <Empty>{filter ? 'No log line matches the filter.' : 'No log lines yet.'}</Empty>
      ) : (
        // A scrollable region must be reachable by keyboard (WCAG 2.1.1); a <pre> keeps the log's whitespace.
        // biome-ignore lint/a11y/useSemanticElements: see above
        <pre
          ref={logBox}
          className="logs"
          data-testid="log-lines"
          role="region"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: see above
          tabIndex={0}
          aria-label={`${name} log`}
        >
          {lines.map((line, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: lines repeat and never reorder; position is identity
            <div key={i} className={logLevel(line) ? `log-${logLevel(line)}` : undefined}>
              {line}
            </div>
          ))}
        </pre>
      )}
    </section>
  );
}
