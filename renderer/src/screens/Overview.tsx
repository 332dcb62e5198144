import { useEffect, useRef, useState } from 'react';
import type { MetricsSampleView } from '../../../server/api/contract';
import { api } from '../api';
import { AdmissionTable } from '../components/AdmissionTable';
import { ApplianceMemory } from '../components/ApplianceMemory';
import { appendSamples } from '../components/chart-data';
import { ErrorNotice, Loading } from '../components/Notice';
import { CpuChart, MemoryChart } from '../components/ResourceCharts';
import { ServiceCard } from '../components/ServiceCard';
import { budgetLevel, cpu, mb } from '../format';
import { usePoll } from '../use-poll';
import { kpiSummary } from './kpis-model';

const HISTORY = 300; // five minutes at one sample a second

/** Every service's card, live memory and CPU against the 1 GB budget, and the gateway's admission control. */
export function Overview() {
  const stack = usePoll(() => api.stack(), 1000);
  const [samples, setSamples] = useState<MetricsSampleView[]>([]);
  const since = useRef(Date.now() - HISTORY * 1000);
  const metrics = usePoll(() => api.metrics(since.current), 1000);
  const kpis = usePoll(() => api.kpis(), 10_000);
  useEffect(() => {
    const fresh = metrics.data?.samples ?? [];
    if (!fresh.length) return;
    since.current = fresh.at(-1)!.at;
    setSamples((held) => appendSamples(held, fresh, HISTORY));
  }, [metrics.data]);

  if (stack.loading && !stack.data) return <Loading what="the stack" />;
  if (!stack.data) return <ErrorNotice error={stack.error!} />;
  const { services, total, budgetBytes, workflowWorker, admission, applianceMemory } = stack.data;
  const level = total ? budgetLevel(total.memoryBytes, budgetBytes) : 'ok';
  const healthy = services.filter((s) => s.state === 'healthy').length;
  const asleep = services.filter((s) => s.state === 'asleep');
  const saved = asleep.reduce((sum, s) => sum + (s.asleep?.savedBytes ?? 0), 0);
  const memory = `${mb(total?.memoryBytes)} of ${mb(budgetBytes)}`;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {stack.error ? <ErrorNotice error={stack.error}> (showing the last known state)</ErrorNotice> : null}
      <p className={`budget budget-${level}`} data-testid="budget-summary">
        {healthy} of {services.length} services healthy
        {asleep.length ? (
          <span data-testid="asleep-summary">
            {' '}
            · {asleep.map((s) => s.name).join(', ')} asleep (idle, {mb(saved)} given back; each wakes on its next
            request)
          </span>
        ) : null}{' '}
        · memory {memory} · CPU {cpu(total?.cpuPercent)}
        {level === 'warn' ? ' · near the memory budget' : level === 'over' ? ' · OVER the memory budget' : ''} ·{' '}
        <span
          className={workflowWorker.state === 'running' || workflowWorker.state === 'idle' ? undefined : 'failure'}
          data-testid="workflow-worker"
        >
          workflow worker{' '}
          {workflowWorker.state === 'idle' ? 'idle (starts with the first workflow)' : workflowWorker.state}
          {workflowWorker.error ? ` (${workflowWorker.error})` : ''}
        </span>
      </p>
      {kpis.data ? (
        <p data-testid="kpi-overview">
          <a href="#/kpis">{kpiSummary(kpis.data)}</a>
        </p>
      ) : null}
      <div className="cards">
        {services.map((s) => (
          <ServiceCard key={s.name} service={s} />
        ))}
      </div>
      <ApplianceMemory memory={applianceMemory} workflowWorker={workflowWorker} />
      {samples.length ? (
        <>
          <MemoryChart samples={samples} budgetBytes={budgetBytes} />
          <CpuChart samples={samples} />
        </>
      ) : metrics.error ? (
        <ErrorNotice error={metrics.error} />
      ) : (
        <Loading what="metrics" />
      )}
      <AdmissionTable admission={admission} />
    </section>
  );
}
