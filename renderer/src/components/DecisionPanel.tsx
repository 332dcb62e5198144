import { DECISION_LABELS, type KpisView, type SuiteName } from '../../../server/api/contract';
import { ago } from '../screens/kpis-model';

const WHY: Record<KpisView['decision'], string> = {
  go: 'every KPI passes',
  'no-go': 'a KPI fails its target',
  incomplete: 'no KPI fails, but some are not measured yet or older than 7 days',
};

/**
 * The POC reviewer's answer first: Go, No-Go or incomplete, what blocks it (each failing KPI's value against its
 * target), when and on which machine it was measured, and one button that measures what is missing.
 */
export function DecisionPanel({
  view,
  onRun,
  disabled,
}: {
  view: KpisView;
  onRun: (suites: SuiteName[]) => void;
  disabled: boolean;
}) {
  const failing = view.blocking.filter((k) => k.verdict === 'fail');
  const missing = view.blocking.filter((k) => k.verdict !== 'fail');
  const newest = Math.max(0, ...view.kpis.map((k) => k.at ?? 0));
  const machines = [...new Set(view.kpis.flatMap((k) => (k.machine ? [k.machine] : [])))];
  return (
    <section className={`decision decision-${view.decision}`} aria-labelledby="decision-title" data-testid="decision">
      <h2 id="decision-title">
        <span data-testid="decision-word">{DECISION_LABELS[view.decision]}</span>
        <span className="muted">
          {' '}
          · {view.passing} of {view.total} KPIs pass · {WHY[view.decision]}
        </span>
      </h2>
      <p className="muted" data-testid="decision-when">
        {newest ? `last measured ${ago(newest)} (${new Date(newest).toLocaleString()})` : 'nothing measured yet'}
        {machines.length ? ` on ${machines.join('; ')}` : ''}
      </p>
      {failing.length ? (
        <ul className="blocking" data-testid="decision-blocking">
          {failing.map((k) => (
            <li key={k.id} data-testid={`blocking-${k.id}`}>
              <strong>{k.name}</strong>: {k.measured ?? '—'} <span className="muted">· target {k.target}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {missing.length ? (
        <p data-testid="decision-missing">
          Not measured or stale: {missing.map((k) => k.name).join('; ')}.{' '}
          <button
            type="button"
            className="primary"
            disabled={disabled}
            onClick={() => onRun(view.missingSuites)}
            data-testid="run-missing"
          >
            Run what is missing ({view.missingSuites.join(', ')})
          </button>
        </p>
      ) : null}
    </section>
  );
}
