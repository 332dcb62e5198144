import { Fragment, useState } from 'react';
import type { KpiView, SuiteName } from '../../../server/api/contract';
import { ago, sparkPoints } from '../screens/kpis-model';
import { KpiDetails } from './KpiDetails';

const BADGE: Record<KpiView['verdict'], string> = { pass: 'pass', fail: 'fail', stale: 'stale', 'not-run': 'not run' };

function Sparkline({ values }: { values: number[] }) {
  const points = sparkPoints(values, 100, 20);
  if (!points) return <span className="muted">—</span>;
  return (
    <svg width="100" height="20" role="img" aria-label={`history: ${values.join(', ')}`}>
      <polyline fill="none" stroke="currentColor" strokeWidth="1.5" points={points} />
    </svg>
  );
}

/**
 * The verdict table: each KPI's targets, latest value, history and verdict, with a button to run its suite; a row
 * opens to its cases and its history with the machine of each run.
 */
export function KpiTable({
  kpis,
  onRun,
  disabled,
}: {
  kpis: KpiView[];
  onRun: (suite: SuiteName) => void;
  disabled: boolean;
}) {
  const [open, setOpen] = useState<string>();
  return (
    <div className="table-scroll">
      <table className="ports kpis" data-testid="kpi-table">
        <thead>
          <tr>
            <th scope="col">KPI</th>
            <th scope="col">POC target</th>
            <th scope="col">apprun target</th>
            <th scope="col">measured</th>
            <th scope="col">history</th>
            <th scope="col">verdict</th>
            <th scope="col">suite</th>
          </tr>
        </thead>
        <tbody>
          {kpis.map((k) => (
            <Fragment key={k.id}>
              <tr data-testid={`kpi-${k.id}`}>
                <th scope="row" title={k.method}>
                  <button
                    type="button"
                    className="link"
                    aria-expanded={open === k.id}
                    onClick={() => setOpen(open === k.id ? undefined : k.id)}
                    data-testid="kpi-expand"
                  >
                    {open === k.id ? '▾' : '▸'} {k.name}
                  </button>
                </th>
                <td>{k.pocTarget}</td>
                <td>{k.target}</td>
                <td>
                  {k.measured ?? '—'}
                  {k.at ? <span className="muted"> · {ago(k.at)}</span> : null}
                </td>
                <td>
                  <Sparkline values={k.trend} />
                </td>
                <td>
                  <span className={`verdict verdict-${k.verdict}`} data-testid="verdict">
                    {BADGE[k.verdict]}
                  </span>
                </td>
                <td>
                  <button
                    type="button"
                    onClick={() => onRun(k.suite)}
                    disabled={disabled}
                    title={`run the ${k.suite} suite`}
                  >
                    run {k.suite}
                  </button>
                </td>
              </tr>
              {open === k.id ? (
                <tr className="kpi-open">
                  <td colSpan={7}>
                    <KpiDetails kpi={k} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
