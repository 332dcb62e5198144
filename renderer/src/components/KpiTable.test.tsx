import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { KpiView } from '../../../server/api/contract';
import { KpiTable } from './KpiTable';

const kpi = (over: Partial<KpiView>): KpiView => ({
  id: 'wasm-cold',
  name: 'WASM cold start',
  unit: 'ms',
  pocTarget: '< 100 ms',
  target: '< 10 ms',
  method: 'first invoke after upload',
  suite: 'wasm',
  verdict: 'not-run',
  trend: [],
  history: [],
  ...over,
});

describe('KpiTable', () => {
  it('shows each KPI’s targets, measurement, history and verdict, and runs its suite on request', async () => {
    const onRun = vi.fn();
    render(
      <KpiTable
        kpis={[
          kpi({ verdict: 'pass', measured: '4.2 ms', at: Date.now() - 120_000, trend: [5, 4.2] }),
          kpi({ id: 'isolation', name: 'tenant isolation', suite: 'isolation' }),
        ]}
        onRun={onRun}
        disabled={false}
      />,
    );
    const cold = screen.getByTestId('kpi-wasm-cold');
    expect(within(cold).getByTestId('verdict').textContent).toBe('pass');
    expect(within(cold).getByText('4.2 ms')).toBeTruthy();
    expect(within(cold).getByText('· 2 min ago')).toBeTruthy();
    expect(within(cold).getByRole('img').getAttribute('aria-label')).toBe('history: 5, 4.2');
    const isolation = screen.getByTestId('kpi-isolation');
    expect(within(isolation).getByTestId('verdict').textContent).toBe('not run');
    await userEvent.click(within(isolation).getByRole('button', { name: 'run isolation' }));
    expect(onRun).toHaveBeenCalledWith('isolation');
  });

  it('opens a KPI to its history, each run with its machine', async () => {
    render(
      <KpiTable
        kpis={[
          kpi({
            verdict: 'fail',
            measured: '12 ms',
            history: [
              { at: Date.now() - 7200_000, runId: 'r1', value: 4, measured: '4 ms', pass: true, machine: 'box A' },
              { at: Date.now() - 60_000, runId: 'r2', value: 12, measured: '12 ms', pass: false, machine: 'box B' },
            ],
          }),
        ]}
        onRun={vi.fn()}
        disabled={false}
      />,
    );
    expect(screen.queryByTestId('kpi-details-wasm-cold')).toBeNull();
    await userEvent.click(screen.getByTestId('kpi-expand'));
    const rows = within(screen.getByTestId('kpi-history-wasm-cold')).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['1 min ago12 msfailbox B', '2 h ago4 mspassbox A']);
    expect(screen.getByTestId('kpi-expand').getAttribute('aria-expanded')).toBe('true');
  });

  it('disables the run buttons while a run is going', () => {
    render(<KpiTable kpis={[kpi({})]} onRun={vi.fn()} disabled />);
    expect((screen.getByRole('button', { name: 'run wasm' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
