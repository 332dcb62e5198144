import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { StackView } from '../../../server/api/contract';
import { api } from '../api';
import { ServiceDetail } from './ServiceDetail';

const stack: StackView = {
  driver: 'native',
  budgetBytes: 2 ** 30,
  services: [{ name: 'postgres', description: '', state: 'healthy', ports: {}, restarts: 0, memoryBudgetMb: 192 }],
  workflowWorker: { state: 'idle' },
  applianceMemory: { rssBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0 },
  admission: { upstreams: [], tenants: [] },
  gatewayPort: 8080,
  mailPort: 1025,
};
const shownLines = () => screen.getByTestId('log-lines').querySelectorAll('div').length;

describe('the service screen’s log', () => {
  it('follows new lines, holds still while paused, and follows again', async () => {
    vi.spyOn(api, 'stack').mockResolvedValue(stack);
    let calls = 0;
    // Every poll answers one more line, as a busy service's log grows.
    vi.spyOn(api, 'logs').mockImplementation(async () => {
      calls++;
      return { service: 'postgres', lines: Array.from({ length: calls }, (_, i) => `LOG:  line ${i + 1}`) };
    });
    render(<ServiceDetail name="postgres" />);
    await vi.waitFor(() => expect(shownLines()).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    await userEvent.click(screen.getByTestId('log-pause'));
    const held = shownLines();
    const callsWhenPaused = calls;
    await new Promise((r) => setTimeout(r, 1500));
    expect(shownLines()).toBe(held);
    expect(calls).toBeLessThanOrEqual(callsWhenPaused + 1); // at most the call already on its way
    await userEvent.click(screen.getByTestId('log-pause'));
    await vi.waitFor(() => expect(shownLines()).toBeGreaterThan(held), { timeout: 3000 });
  });

  it('filters by level, keeping the supervisor’s own lines', async () => {
    vi.spyOn(api, 'stack').mockResolvedValue(stack);
    vi.spyOn(api, 'logs').mockResolvedValue({
      service: 'postgres',
      lines: ['LOG:  ready', 'WARNING:  slow', 'ERROR:  broken', '[apprun 10:00:01] postgres restarted'],
    });
    render(<ServiceDetail name="postgres" />);
    await vi.waitFor(() => expect(shownLines()).toBe(4));
    await userEvent.selectOptions(screen.getByTestId('log-level'), 'error');
    expect([...screen.getByTestId('log-lines').querySelectorAll('div')].map((d) => d.textContent)).toEqual([
      'ERROR:  broken',
      '[apprun 10:00:01] postgres restarted',
    ]);
  });
});
