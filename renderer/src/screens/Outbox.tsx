import { api } from '../api';
import { Empty, ErrorNotice } from '../components/Notice';
import { TenantScreen } from '../session';
import { usePoll } from '../use-poll';

function OutboxOf({ token }: { token: string }) {
  const { data, error } = usePoll(() => api.outbox(token), 2000, [token]);
  return (
    <>
      {error ? <ErrorNotice error={error} /> : null}
      {data === undefined ? null : data.length === 0 ? (
        <Empty>No emails yet. Registration workflows write their welcome email here instead of sending it.</Empty>
      ) : (
        <ul className="outbox" data-testid="outbox-list">
          {data.map((m) => (
            <li key={m.id} data-testid="outbox-message">
              <details>
                <summary>
                  <strong>{m.subject}</strong> → {m.to_email}{' '}
                  <span className="muted">· {new Date(m.created_at).toLocaleString()}</span>
                </summary>
                <pre>{m.body}</pre>
                <p className="muted">
                  sent by workflow <a href={`#/workflows/${encodeURIComponent(m.workflow_id)}`}>{m.workflow_id}</a>
                </p>
              </details>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** The appliance's mail catcher: what the tenant's workflows would have emailed, newest first. */
export function Outbox() {
  return (
    <TenantScreen title="Outbox" what="Emails">
      {(session) => <OutboxOf token={session.token} />}
    </TenantScreen>
  );
}
