import { type FormEvent, useState } from 'react';
import { ACTIVITY_NAMES, type ActivityName, type WorkflowDetailView } from '../../../server/api/contract';
import { api } from '../api';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { TenantScreen } from '../session';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';
import { registrationRequest, statusTone, timeline } from './workflows-model';

const time = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleTimeString() : '—');

function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${statusTone(status)}`}>{status.toLowerCase()}</span>;
}

function StartRegistration({ token, onStarted }: { token: string; onStarted: (workflowId: string) => void }) {
  const [email, setEmail] = useState(`new-user-${Math.floor(Math.random() * 10000)}@test.com`);
  const [failTimes, setFailTimes] = useState(0);
  const [failActivity, setFailActivity] = useState<ActivityName>('SendWelcomeEmail');
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      onStarted((await api.startRegistration(token, registrationRequest(email, failTimes, failActivity))).workflowId);
    });
  };
  return (
    <form onSubmit={submit} data-testid="registration-form" noValidate>
      <h2>Start a registration</h2>
      <label>
        Email{' '}
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="registration-email" />
      </label>
      <fieldset>
        <legend>Failure injection</legend>
        <label>
          Fail the first attempts (0–10; 5 attempts at most, so 5 or more fails the workflow)
          <input
            type="number"
            min={0}
            max={10}
            value={failTimes}
            onChange={(e) => setFailTimes(Number(e.target.value))}
            data-testid="registration-fail-times"
          />
        </label>
        <label>
          of activity
          <select
            value={failActivity}
            onChange={(e) => setFailActivity(e.target.value as ActivityName)}
            data-testid="registration-fail-activity"
          >
            {ACTIVITY_NAMES.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
        </label>
      </fieldset>
      <button type="submit" className="primary" disabled={busy} data-testid="registration-submit">
        {busy ? 'Starting…' : 'Start'}
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

/** Each activity's attempts in order: the retries Temporal made, with their errors. */
function Timeline({ detail }: { detail: WorkflowDetailView }) {
  return (
    <ol className="timeline" data-testid="workflow-timeline">
      {timeline(detail).map(({ activity, summary, attempts, retry }) => (
        <li key={activity} data-testid={`timeline-${activity}`}>
          <strong>{activity}</strong> <span className="muted">{summary}</span>
          <ul>
            {attempts.map((a) => (
              <li
                key={a.attempt}
                className={a.outcome === 'failed' ? 'failure' : a.outcome === 'completed' ? 'ok' : undefined}
                data-testid="timeline-attempt"
              >
                attempt {a.attempt} · {time(a.startedAt)} · {a.outcome ?? 'running'}
                {a.error ? ` — ${a.error}` : ''}
              </li>
            ))}
            {retry ? (
              <li className="muted">
                retry {retry.attempt} scheduled for {time(retry.at)}
                {retry.lastFailure ? ` (last failure: ${retry.lastFailure})` : ''}
              </li>
            ) : null}
          </ul>
        </li>
      ))}
    </ol>
  );
}

function WorkflowDetail({ token, workflowId }: { token: string; workflowId: string }) {
  const { data, error } = usePoll(() => api.workflow(token, workflowId), 700, [token, workflowId]);
  if (error) return <ErrorNotice error={error} />;
  if (!data) return <Loading what="the workflow" />;
  return (
    <section aria-label="workflow detail" data-testid="workflow-detail">
      <h2>
        {data.email ?? data.workflowId} <StatusBadge status={data.status} />
      </h2>
      <dl className="facts">
        <dt>workflow</dt>
        <dd>{data.workflowId}</dd>
        <dt>started</dt>
        <dd>{new Date(data.startTime).toLocaleString()}</dd>
        <dt>closed</dt>
        <dd>{data.closeTime ? new Date(data.closeTime).toLocaleString() : '—'}</dd>
        <dt>result</dt>
        <dd data-testid="workflow-result">
          {data.result ? (
            JSON.stringify(data.result)
          ) : data.failure ? (
            <span className="failure">{data.failure}</span>
          ) : (
            '—'
          )}
        </dd>
      </dl>
      <p>
        <a href={data.temporalUiUrl} target="_blank" rel="noreferrer" data-testid="temporal-ui-link">
          Open in the Temporal Web UI
        </a>
      </p>
      <Timeline detail={data} />
      <details>
        <summary>Event history ({data.history.length} events)</summary>
        <ol className="logs">
          {data.history.map((e) => (
            <li key={e.id}>
              {time(e.time)} {e.type}
              {e.activity ? ` ${e.activity}` : ''}
              {e.attempt ? ` (attempt ${e.attempt})` : ''}
              {e.detail ? ` — ${e.detail}` : ''}
            </li>
          ))}
        </ol>
      </details>
    </section>
  );
}

function WorkflowsOf({ token, selected }: { token: string; selected?: string }) {
  const { data, error, refresh } = usePoll(() => api.workflows(token), 1500, [token]);
  const open = (id: string) => {
    window.location.hash = `#/workflows/${encodeURIComponent(id)}`;
    refresh();
  };
  return (
    <>
      {error ? <ErrorNotice error={error} /> : null}
      <div className="two-columns">
        <div>
          <StartRegistration token={token} onStarted={open} />
          <h2>Workflows</h2>
          {data === undefined ? null : data.length === 0 ? (
            <Empty>
              No workflows in this tenant yet: start a registration, or register a user through POST /auth/register.
            </Empty>
          ) : (
            <table className="functions" data-testid="workflows-table">
              <thead>
                <tr>
                  <th scope="col">user</th>
                  <th scope="col">status</th>
                  <th scope="col">started</th>
                </tr>
              </thead>
              <tbody>
                {data.map((w) => (
                  <tr key={w.workflowId} aria-selected={w.workflowId === selected} data-testid="workflow-row">
                    <td>
                      <a href={`#/workflows/${encodeURIComponent(w.workflowId)}`}>{w.email ?? w.workflowId}</a>
                    </td>
                    <td>
                      <StatusBadge status={w.status} />
                    </td>
                    <td>{new Date(w.startTime).toLocaleTimeString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        {selected ? <WorkflowDetail token={token} workflowId={selected} /> : null}
      </div>
    </>
  );
}

/** The tenant's Temporal workflows: start a registration (with failure injection), list them, follow one's retries. */
export function Workflows({ selected }: { selected?: string }) {
  return (
    <TenantScreen title="Workflows" what="Workflows">
      {(session) => <WorkflowsOf token={session.token} selected={selected} />}
    </TenantScreen>
  );
}
