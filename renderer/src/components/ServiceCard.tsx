import type { ServiceView } from '../../../server/api/contract';
import { mb, pct, uptime } from '../format';
import { StateBadge } from './StateBadge';

/** One service at a glance; the whole card links to its detail screen. */
export function ServiceCard({ service }: { service: ServiceView }) {
  const memory = service.usage?.memoryBytes;
  const overShare = memory !== undefined && memory > service.memoryBudgetMb * 2 ** 20;
  const port = Object.values(service.ports)[0];
  return (
    <article
      className={`card card-${service.state}`}
      data-testid={`service-card-${service.name}`}
      aria-label={`${service.name}: ${service.state}`}
    >
      <header>
        <h3>
          <a href={`#/service/${service.name}`}>{service.name}</a>
        </h3>
        <StateBadge state={service.state} />
      </header>
      <p className="muted">{service.description}</p>
      <dl>
        <dt>health</dt>
        <dd>{service.state === 'healthy' ? 'passing' : service.state === 'failed' ? 'failed' : '—'}</dd>
        <dt>uptime</dt>
        <dd>{service.state === 'healthy' ? uptime(service.startedAt) : '—'}</dd>
        <dt>port</dt>
        <dd>{port ?? '—'}</dd>
        <dt>pid</dt>
        <dd data-testid="pid">{service.pid ?? '—'}</dd>
        {service.container ? (
          <>
            <dt>container</dt>
            <dd title={service.container.image}>{service.container.id}</dd>
          </>
        ) : null}
        <dt>restarts</dt>
        <dd>{service.restarts}</dd>
        <dt>memory</dt>
        <dd className={overShare ? 'warn' : undefined} title={`share of the budget: ${service.memoryBudgetMb} MB`}>
          {mb(memory)} <span className="muted">/ {service.memoryBudgetMb} MB</span>
        </dd>
        <dt>CPU</dt>
        <dd>{pct(service.usage?.cpuPercent)}</dd>
      </dl>
      {service.failure ? <p className="failure">{service.failure.reason}</p> : null}
    </article>
  );
}
