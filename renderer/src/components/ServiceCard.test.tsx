import { render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { ServiceView } from '../../../server/api/contract';
import { ServiceCard } from './ServiceCard';

const MiB = 2 ** 20;
const service = (over: Partial<ServiceView> = {}): ServiceView => ({
  name: 'postgres',
  description: 'PostgreSQL 15',
  state: 'healthy',
  pid: 4242,
  ports: { postgres: 5432 },
  startedAt: Date.now() - 90_000,
  restarts: 1,
  memoryBudgetMb: 200,
  usage: { memoryBytes: 120 * MiB, cpuPercent: 1.25 },
  ...over,
});

/** The card's facts as term → description. */
function facts(): Record<string, string> {
  const card = screen.getByTestId('service-card-postgres');
  const terms = [...card.querySelectorAll('dt')];
  return Object.fromEntries(terms.map((dt) => [dt.textContent, dt.nextElementSibling!.textContent]));
}

describe('ServiceCard', () => {
  it('shows a healthy service’s health, uptime, port, pid, restarts, memory against its share and CPU', () => {
    vi.useFakeTimers({ now: 1_750_000_000_000 });
    render(<ServiceCard service={service({ startedAt: 1_750_000_000_000 - 90_000 })} />);
    expect(facts()).toEqual({
      health: 'passing',
      uptime: '1 min 30 s',
      port: '5432',
      pid: '4242',
      restarts: '1',
      memory: '120.0 MB / 200 MB',
      CPU: '1.3 % of a core',
    });
    expect(screen.getByRole('link', { name: 'postgres' }).getAttribute('href')).toBe('#/service/postgres');
    expect(screen.getByTestId('state').textContent).toBe('healthy');
  });

  it('shows the container and its image under the Docker driver', () => {
    render(
      <ServiceCard service={service({ container: { id: 'abc123def456', image: 'apprun-local/postgres:1a2b' } })} />,
    );
    expect(facts().container).toBe('abc123def456');
    expect(screen.getByTitle('apprun-local/postgres:1a2b').textContent).toBe('abc123def456');
  });

  it('warns near the service’s share of the budget, louder over it, and draws the share as a meter', () => {
    const { unmount } = render(<ServiceCard service={service({ usage: { memoryBytes: 190 * MiB, cpuPercent: 0 } })} />);
    expect(screen.getByTitle('its share of the budget: 200 MB').className).toBe('warn');
    expect(screen.getByTestId('memory-warning').textContent).toBe('memory at 95 % of its 200 MB share: near it');
    expect(screen.getByTestId('memory-meter').getAttribute('value')).toBe('95');
    unmount();
    render(<ServiceCard service={service({ usage: { memoryBytes: 230 * MiB, cpuPercent: 0 } })} />);
    expect(screen.getByTitle('its share of the budget: 200 MB').className).toBe('over');
    expect(screen.getByTestId('memory-warning').textContent).toBe('memory at 115 % of its 200 MB share: over it');
  });

  it('says nothing of memory well under the share', () => {
    render(<ServiceCard service={service()} />);
    expect(screen.queryByTestId('memory-warning')).toBeNull();
  });

  it('shows no uptime or health for a service that is not healthy, and a failure’s reason', () => {
    render(
      <ServiceCard
        service={service({
          state: 'failed',
          pid: undefined,
          usage: undefined,
          failure: { reason: 'crashed 5 times in a minute', logTail: [] },
        })}
      />,
    );
    expect(facts()).toMatchObject({ health: 'failed', uptime: '—', pid: '—', memory: '— / 200 MB', CPU: '—' });
    expect(screen.getByText('crashed 5 times in a minute').className).toBe('failure');
    expect(screen.getByTitle('its share of the budget: 200 MB').className).toBe('');
  });

  it('shows a dash for health while starting', () => {
    render(<ServiceCard service={service({ state: 'starting' })} />);
    expect(facts().health).toBe('—');
  });
});
