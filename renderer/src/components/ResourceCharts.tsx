import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { type MetricsSampleView, SERVICE_NAMES } from '../../../server/api/contract';
import { budgetLevel } from '../format';

const COLORS: Record<string, string> = {
  postgres: '#336791',
  postgrest: '#2e9e6a',
  kratos: '#8a63d2',
  temporal: '#e07b39',
  minio: '#c72e49',
  appliance: '#7d8590',
};

const KEYS = [...SERVICE_NAMES, 'appliance'];
const time = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function rows(samples: MetricsSampleView[], pick: 'memoryBytes' | 'cpuPercent') {
  return samples.map((s) => {
    const row: Record<string, number> = { at: s.at };
    for (const k of KEYS) {
      const u = k === 'appliance' ? s.appliance : s.services[k];
      row[k] = u ? (pick === 'memoryBytes' ? Math.round((u.memoryBytes / 2 ** 20) * 10) / 10 : Math.round(u.cpuPercent * 10) / 10) : 0;
    }
    return row;
  });
}

/** Memory per service, stacked to the total, against the budget line, which turns amber near and red over budget. */
export function MemoryChart({ samples, budgetBytes }: { samples: MetricsSampleView[]; budgetBytes: number }) {
  const budgetMb = budgetBytes / 2 ** 20;
  const last = samples.at(-1);
  const level = last ? budgetLevel(last.total.memoryBytes, budgetBytes) : 'ok';
  return (
    <figure className={`chart chart-${level}`} data-testid="memory-chart" aria-label="memory per service, stacked, against the budget">
      <figcaption>Memory (MB), stacked — budget {budgetMb} MB</figcaption>
      <ResponsiveContainer width="100%" height={240}>
        <AreaChart data={rows(samples, 'memoryBytes')} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={time} minTickGap={40} stroke="var(--muted)" />
          <YAxis domain={[0, (max: number) => Math.ceil(Math.max(budgetMb * 1.1, max) / 100) * 100]} stroke="var(--muted)" />
          <Tooltip labelFormatter={(v) => time(Number(v))} />
          <Legend />
          {KEYS.map((k) => (
            <Area key={k} type="monotone" dataKey={k} stackId="mem" stroke={COLORS[k]} fill={COLORS[k]} fillOpacity={0.55} isAnimationActive={false} />
          ))}
          <ReferenceLine y={budgetMb} stroke={level === 'ok' ? 'var(--muted)' : `var(--${level})`} strokeWidth={2} strokeDasharray="6 3" label={{ value: '1 GB budget', position: 'insideTopRight', fill: 'var(--fg)' }} />
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
        <LineChart data={rows(samples, 'cpuPercent')} margin={{ top: 8, right: 16, left: 0, bottom: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
          <XAxis dataKey="at" tickFormatter={time} minTickGap={40} stroke="var(--muted)" />
          <YAxis stroke="var(--muted)" />
          <Tooltip labelFormatter={(v) => time(Number(v))} />
          <Legend />
          {KEYS.map((k) => (
            <Line key={k} type="monotone" dataKey={k} stroke={COLORS[k]} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
