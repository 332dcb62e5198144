import { useState } from 'react';
import { SUITE_NAMES, type SuiteName } from '../../../server/api/contract';
import { type ApiError, api, toApiError } from '../api';
import { DecisionPanel } from '../components/DecisionPanel';
import { KpiTable } from '../components/KpiTable';
import { ErrorNotice, Loading } from '../components/Notice';
import { RunView } from '../components/RunView';
import { saveFile } from '../download';
import { usePoll } from '../use-poll';

/** The KPI center: verdicts, running suites with live progress, each run's outcome, and the POC report. */
export function Kpis() {
  const kpis = usePoll(() => api.kpis(), 2000);
  const [profile, setProfile] = useState<'quick' | 'full'>('quick');
  const [runId, setRunId] = useState<string>();
  const [error, setError] = useState<ApiError>();
  // The run started here, else the one going, else the newest stored: the last run stays in view after a reload.
  const shown = runId ?? kpis.data?.running ?? kpis.data?.lastRunId;
  const run = usePoll(() => (shown ? api.benchRun(shown) : Promise.resolve(undefined)), 1000, [shown]);

  const start = async (suites?: SuiteName[]) => {
    setError(undefined);
    try {
      const started = await api.startBenchRun({ suites, profile });
      setRunId(started.id);
      kpis.refresh();
    } catch (err) {
      setError(toApiError(err));
    }
  };
  const report = async () => {
    setError(undefined);
    try {
      saveFile('apprun-poc-report.html', await api.report('html'), 'text/html');
    } catch (err) {
      setError(toApiError(err));
    }
  };

  if (kpis.loading && !kpis.data) return <Loading what="the KPIs" />;
  if (!kpis.data) return <ErrorNotice error={kpis.error!} />;
  const running = run.data?.state === 'running' || !!kpis.data.running;
  return (
    <section aria-labelledby="kpis-title">
      <h1 id="kpis-title">KPIs</h1>
      <DecisionPanel view={kpis.data} onRun={(suites) => void start(suites)} disabled={running} />
      <div className="toolbar">
        <label>
          Profile{' '}
          <select
            value={profile}
            onChange={(e) => setProfile(e.target.value as 'quick' | 'full')}
            data-testid="kpi-profile"
          >
            <option value="quick">quick (about a minute)</option>
            <option value="full">full (a few minutes)</option>
          </select>
        </label>{' '}
        <button type="button" className="primary" onClick={() => void start()} disabled={running}>
          Run all {SUITE_NAMES.length} suites
        </button>{' '}
        <button type="button" onClick={() => void report()} data-testid="kpi-report">
          Download the POC report
        </button>
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      <KpiTable kpis={kpis.data.kpis} onRun={(suite) => void start([suite])} disabled={running} />
      {run.data ? <RunView run={run.data} /> : null}
    </section>
  );
}
