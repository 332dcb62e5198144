import type { ServiceView } from '../../../server/api/contract';
import { budgetLevel, cpu, mb, uptime } from '../format';
import { StateBadge } from './StateBadge';

/** One service at a glance; the whole card links to its detail screen. */
export function ServiceCard({ service }: { service: ServiceView }) {
  const memory = service.usage?.memoryBytes;
  const share = service.memoryBudgetMb * 2 ** 20;
  // Near its share (80 %) the card says so, over it louder: a service at 95 % must not look like one at 19 %.
  const level = memory === undefined ? 'ok' : budgetLevel(memory, share);
  const ofShare = memory === undefined ? undefined : Math.round((memory / share) * 100);
  const port = Object.values(service.ports)[0];
  return (
    <article
      className={`card card-${service.state}${level === 'ok' ? '' : ` card-memory-${level}`}`}
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
        <dd
          className={level === 'ok' ? undefined : level}
          title={`its share of the budget: ${service.memoryBudgetMb} MB`}
        >
          {mb(memory)} <span className="muted">/ {service.memoryBudgetMb} MB</span>
          {ofShare !== undefined ? (
            <meter
              min={0}
              max={100}
              low={80}
              high={100}
              optimum={0}
              value={Math.min(ofShare, 100)}
              aria-label={`${service.name} memory: ${ofShare} % of its share`}
              data-testid="memory-meter"
            />
          ) : null}
        </dd>
        <dt>CPU</dt>
        <dd>{cpu(service.usage?.cpuPercent)}</dd>
      </dl>
      {level !== 'ok' ? (
        <p className={level === 'over' ? 'failure' : 'warn'} data-testid="memory-warning">
          memory at {ofShare} % of its {service.memoryBudgetMb} MB share
          {level === 'over' ? ': over it' : ': near it'}
        </p>
      ) : null}
      {service.state === 'asleep' && service.asleep ? (
        <p className="muted" data-testid="asleep">
          asleep since {new Date(service.asleep.since).toLocaleTimeString()} (idle), giving back{' '}
          {mb(service.asleep.savedBytes)}; it wakes on its next request
        </p>
      ) : service.failure ? (
        <p className="failure">{service.failure.reason}</p>
      ) : null}
    </article>
  );
}
