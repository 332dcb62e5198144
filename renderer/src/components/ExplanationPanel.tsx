import type { ExplanationView } from '../../../server/api/views';

const MARK = { pass: '✓', fail: '✗', info: 'i' } as const;

/** Why a request got what it got: the verdict, each check in the gateway's order, the tables' policies and counts. */
export function ExplanationPanel({ explanation: e }: { explanation: ExplanationView }) {
  return (
    <section className="explanation" data-testid="explanation" aria-label="explanation">
      <p className="explanation-summary">
        <strong>{e.summary}</strong>
      </p>
      {e.caller ? (
        <p className="muted">
          as {e.caller.email} · role {e.caller.role} · tenant {e.caller.tenantName} · database role {e.caller.dbRole}
          {e.rolledBack ? ' · the write ran in a transaction that was rolled back: nothing changed' : ''}
        </p>
      ) : null}
      <ol className="explanation-steps">
        {e.steps.map((step) => (
          <li key={`${step.step}: ${step.detail}`} className={`step-${step.verdict}`}>
            <span aria-hidden="true">{MARK[step.verdict as keyof typeof MARK] ?? '·'}</span>{' '}
            <strong>{step.step}</strong>: {step.detail}
          </li>
        ))}
      </ol>
      {e.rbac && !e.rbac.allowed ? (
        <details>
          <summary>
            The role's {e.rbac.rules.length} rules (missing: <code>{e.rbac.rule}</code>)
          </summary>
          <ul>
            {e.rbac.rules.map((r) => (
              <li key={r}>
                <code>{r}</code>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {e.tables.map((t) => (
        <div key={`${t.schema}.${t.table}`} data-testid="explained-table">
          <p>
            <strong>
              {t.schema}.{t.table}
            </strong>{' '}
            — {t.sentence}
          </p>
          {t.policies.length ? (
            <ul>
              {t.policies.map((p) => (
                <li key={p.name}>
                  policy <code>{p.name}</code> ({p.permissive ? 'permissive' : 'restrictive'}, {p.command}, to{' '}
                  {p.roles.join(', ')})
                  {p.using ? (
                    <>
                      {' '}
                      using <code>{p.using}</code>
                    </>
                  ) : null}
                  {p.check ? (
                    <>
                      {' '}
                      check <code>{p.check}</code>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">
              {t.rlsEnabled ? 'Row-level security is on with no policy for this role.' : 'Row-level security is off.'}
            </p>
          )}
        </div>
      ))}
      {e.code ? (
        <p>
          <code>{e.code.code}</code>: {e.code.meaning}
        </p>
      ) : null}
    </section>
  );
}
