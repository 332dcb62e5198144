import type { KpiView } from '../../../server/api/contract';
import { api } from '../api';
import { ago } from '../screens/kpis-model';
import { usePoll } from '../use-poll';
import { CaseTable } from './CaseTable';
import { ErrorNotice } from './Notice';

/**
 * A KPI opened up: the cases or timeline its suite recorded in the run that measured it last (RBAC's role × action
 * table, isolation's attacks, the workflow's attempts), and its history, each run with its machine.
 */
export function KpiDetails({ kpi }: { kpi: KpiView }) {
  const run = usePoll(() => (kpi.runId ? api.benchRun(kpi.runId) : Promise.resolve(undefined)), 0, [kpi.runId]);
  const result = run.data?.results.find((r) => r.suite === kpi.suite && r.state === 'done');
  return (
    <div className="kpi-details" data-testid={`kpi-details-${kpi.id}`}>
      <p className="muted">{kpi.method}</p>
      {run.error ? <ErrorNotice error={run.error} /> : null}
      {result?.cases?.length ? <CaseTable cases={result.cases} testId={`kpi-cases-${kpi.id}`} /> : null}
      {result?.timeline?.length ? (
        <ol className="timeline">
          {result.timeline.map((t) => (
            <li key={t}>{t}</li>
          ))}
        </ol>
      ) : null}
      {kpi.history.length ? (
        <div className="table-scroll">
          <table className="ports" data-testid={`kpi-history-${kpi.id}`}>
            <caption>history, newest first</caption>
            <thead>
              <tr>
                <th scope="col">when</th>
                <th scope="col">measured</th>
                <th scope="col">verdict</th>
                <th scope="col">machine</th>
              </tr>
            </thead>
            <tbody>
              {[...kpi.history].reverse().map((h) => (
                <tr key={h.runId}>
                  <td title={new Date(h.at).toLocaleString()}>{ago(h.at)}</td>
                  <td>{h.measured}</td>
                  <td className={h.pass ? 'ok' : 'failure'}>{h.pass ? 'pass' : 'fail'}</td>
                  <td>{h.machine}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="muted">not measured yet</p>
      )}
    </div>
  );
}
