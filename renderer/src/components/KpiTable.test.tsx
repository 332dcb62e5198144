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

  it('disables the run buttons while a run is going', () => {
    render(<KpiTable kpis={[kpi({})]} onRun={vi.fn()} disabled />);
    expect((screen.getByRole('button', { name: 'run wasm' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
