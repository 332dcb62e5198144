import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { KpisView } from '../../../server/api/contract';
import { DecisionPanel } from './DecisionPanel';

const view = (over: Partial<KpisView>): KpisView => ({
  kpis: [],
  passing: 0,
  total: 0,
  decision: 'go',
  blocking: [],
  missingSuites: [],
  ...over,
});

describe('DecisionPanel', () => {
  it('says No-Go, naming the failing KPI with its value against its target, and runs what is missing', async () => {
    const onRun = vi.fn();
    render(
      <DecisionPanel
        view={view({
          passing: 1,
          total: 3,
          decision: 'no-go',
          kpis: [],
          blocking: [
            {
              id: 'data-throughput',
              name: 'data API throughput',
              suite: 'data',
              verdict: 'fail',
              target: '≥ 0.85 × direct',
              measured: '0.78 × direct',
              at: 1,
            },
            { id: 'wasm-cold', name: 'WASM cold start', suite: 'wasm', verdict: 'not-run', target: '< 10 ms' },
          ],
          missingSuites: ['wasm'],
        })}
        onRun={onRun}
        disabled={false}
      />,
    );
    expect(screen.getByTestId('decision-word').textContent).toBe('No-Go');
    expect(within(screen.getByTestId('blocking-data-throughput')).getByText(/0.78 × direct/)).toBeTruthy();
    expect(screen.getByTestId('blocking-data-throughput').textContent).toContain('target ≥ 0.85 × direct');
    expect(screen.getByTestId('decision-missing').textContent).toContain('WASM cold start');
    await userEvent.click(screen.getByTestId('run-missing'));
    expect(onRun).toHaveBeenCalledWith(['wasm']);
  });

  it('says Go with nothing blocking, and when and where it was measured', () => {
    render(
      <DecisionPanel
        view={view({
          passing: 1,
          total: 1,
          kpis: [
            {
              id: 'rbac',
              name: 'RBAC',
              unit: '',
              pocTarget: '',
              target: '',
              method: '',
              suite: 'rbac',
              verdict: 'pass',
              at: Date.now() - 120_000,
              machine: 'AMD EPYC, 2 cores, 24 GB, native',
              trend: [],
              history: [],
            },
          ],
        })}
        onRun={vi.fn()}
        disabled={false}
      />,
    );
    expect(screen.getByTestId('decision-word').textContent).toBe('Go');
    expect(screen.queryByTestId('decision-blocking')).toBeNull();
    expect(screen.queryByTestId('run-missing')).toBeNull();
    expect(screen.getByTestId('decision-when').textContent).toMatch(/2 min ago .* on AMD EPYC, 2 cores, 24 GB, native/);
  });
});
