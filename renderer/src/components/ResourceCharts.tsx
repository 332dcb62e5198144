import {
  Area,
  AreaChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { MetricsSampleView } from '../../../server/api/contract';
import { budgetLine, cpuRows, memoryAxisMax, memoryRows, SERIES, SERIES_COLORS } from './chart-data';

const time = (at: number) =>
  new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Memory per service, stacked to the total, against the budget line, which turns amber near and red over budget. */
export function MemoryChart({ samples, budgetBytes }: { samples: MetricsSampleView[]; budgetBytes: number }) {
  const budget = budgetLine(samples, budgetBytes);
  return (
    <figure
      className={`chart chart-${budget.level}`}
      data-testid="memory-chart"
      aria-label="memory per service, stacked, against the budget"
    >
      <figcaption>Memory (MB), stacked — budget {Math.round(budget.mb)} MB</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <AreaChart data={memoryRows(samples)} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={time} minTickGap={40} stroke="var(--muted)" />
          <YAxis domain={[0, (max: number) => memoryAxisMax(budget.mb, max)]} stroke="var(--muted)" />
          <Tooltip labelFormatter={(v) => time(Number(v))} />
          <Legend />
          {SERIES.map((k) => (
            <Area
              key={k}
              type="monotone"
              dataKey={k}
              stackId="mem"
              stroke={SERIES_COLORS[k]}
              fill={SERIES_COLORS[k]}
              fillOpacity={0.55}
              isAnimationActive={false}
            />
          ))}
          <ReferenceLine
            y={budget.mb}
            stroke={budget.stroke}
            strokeWidth={2}
            strokeDasharray="6 3"
            label={{ value: budget.label, position: 'insideTopRight', fill: 'var(--fg)' }}
          />
        </AreaChart>
      </ResponsiveContainer>
    </figure>
  );
}

export function CpuChart({ samples }: { samples: MetricsSampleView[] }) {
  return (
    <figure className="chart" data-testid="cpu-chart" aria-label="CPU per service">
      <figcaption>CPU (% of one core)</figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={cpuRows(samples)} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={time} minTickGap={40} stroke="var(--muted)" />
          <YAxis stroke="var(--muted)" />
          <Tooltip labelFormatter={(v) => time(Number(v))} />
          <Legend />
          {SERIES.map((k) => (
            <Line key={k} type="monotone" dataKey={k} stroke={SERIES_COLORS[k]} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
