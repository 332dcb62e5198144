import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BenchRunView } from '../../../server/api/contract';
import { liveRows } from '../screens/kpis-model';
import { CaseTable } from './CaseTable';

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];

function LiveChart({ run, field, label }: { run: BenchRunView; field: 'rps' | 'p99Ms'; label: string }) {
  const { rows, streams } = liveRows(run, field);
  return (
    <figure className="chart" data-testid={`live-${field}`}>
      <figcaption>{label}</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={rows} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis
            dataKey="second"
            type="number"
            domain={[0, 'dataMax']}
            allowDecimals={false}
            stroke="var(--muted)"
            unit=" s"
          />
          <YAxis stroke="var(--muted)" />
          <Tooltip />
          <Legend />
          {streams.map((s, i) => (
            <Line
              key={s.name}
              dataKey={s.name}
              stroke={COLORS[i % COLORS.length]}
              strokeDasharray={s.warmUp ? '4 3' : undefined}
              // One sample per round (closed loop): dots, joined across the seconds where the stream is silent.
              dot={s.points <= 3 ? { r: 4 } : false}
              connectNulls
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}

/** One run: its progress while it goes, live load charts, then each suite's outcome, cases and timeline. */
export function RunView({ run }: { run: BenchRunView }) {
  const percent = Math.round(run.progress.fraction * 100);
  return (
    <section aria-labelledby="run-title" data-testid="run">
      <h2 id="run-title">
        Run {run.id} · {run.profile} · <span data-testid="run-state">{run.state}</span>
      </h2>
      <p>
        <progress max={100} value={percent} aria-label="run progress" /> {percent} % —{' '}
        <span data-testid="run-step">
          {run.progress.suite ? `${run.progress.suite}: ` : ''}
          {run.progress.step}
        </span>
      </p>
      {run.error ? (
        <p className="failure" role="alert">
          {run.error}
        </p>
      ) : null}
      {run.woke?.length ? (
        <p data-testid="run-woke">woke {run.woke.join(', ')} (asleep: idle) to measure the stack awake</p>
      ) : null}
      {run.budgetExceeded ? <p className="failure">the stack went over its memory budget during this run</p> : null}
      {run.samples.length ? (
        <div className="charts">
          <LiveChart
            run={run}
            field="rps"
            label="requests/s answered 2xx, per stream (closed loop: one point per round)"
          />
          <LiveChart
            run={run}
            field="p99Ms"
            label="p99 latency (ms) per second, per stream; warm-up (dashed) is not counted in the percentiles"
          />
        </div>
      ) : null}
      {run.results.map((r) => (
        <details
          key={r.suite}
          open={r.state === 'error' || !!r.cases?.some((c) => !c.pass)}
          data-testid={`result-${r.suite}`}
        >
          <summary>
            {r.suite}: {r.state === 'done' ? 'done' : `error — ${r.error}`} (
            {Math.round((r.endedAt - r.startedAt) / 100) / 10} s)
          </summary>
          {Object.keys(r.values).length ? (
            <p className="values">
              {Object.entries(r.values)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ')}
            </p>
          ) : null}
          {r.cases?.length ? <CaseTable cases={r.cases} testId={`cases-${r.suite}`} /> : null}
          {r.timeline?.length ? (
            <ol className="timeline">
              {r.timeline.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ol>
          ) : null}
        </details>
      ))}
    </section>
  );
}
