import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AdmissionView } from '../../../server/api/contract';
import { AdmissionTable } from './AdmissionTable';

const gate = (upstream: AdmissionView['upstreams'][number]['upstream'], over = {}) => ({
  upstream,
  capacity: 32,
  inFlight: 0,
  queued: 0,
  maxInFlight: 32,
  maxQueued: 128,
  maxWaitMs: 250,
  ...over,
});

const cells = (row: HTMLElement) =>
  within(row)
    .getAllByRole('cell')
    .map((c) => c.textContent);

describe('AdmissionTable', () => {
  it('shows each tenant’s admitted, rate-limited and overloaded counts and its queue, and each upstream’s slots', () => {
    render(
      <AdmissionTable
        admission={{
          upstreams: [gate('postgrest', { capacity: 8, inFlight: 8, queued: 40 }), gate('kratos')],
          tenants: [
            {
              tenantId: 't1',
              name: 'Acme',
              plan: 'free',
              admitted: 900,
              rateLimited: 120,
              overloaded: 30,
              inFlight: 6,
              queued: 38,
            },
            {
              tenantId: 't2',
              name: 'Globex',
              plan: 'pro',
              admitted: 20,
              rateLimited: 0,
              overloaded: 0,
              inFlight: 2,
              queued: 2,
            },
          ],
        }}
      />,
    );
    const acme = screen.getByTestId('admission-tenant-t1');
    expect(within(acme).getByRole('rowheader').textContent).toBe('Acme');
    expect(cells(acme)).toEqual(['free', '900', '120', '30', '6', '38']);
    expect(within(acme).getAllByRole('cell')[2]!.className).toBe('warn');
    expect(cells(screen.getByTestId('admission-tenant-t2'))).toEqual(['pro', '20', '0', '0', '2', '2']);
    const upstreams = within(screen.getByTestId('admission-upstreams')).getAllByRole('row').slice(1);
    expect(upstreams.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['PostgREST', 'Kratos']);
    expect(cells(upstreams[0]!)).toEqual(['8 of 32', '8', '40 (at most 128)', '250 ms']);
    expect(within(upstreams[0]!).getAllByRole('cell')[0]!.className).toBe('warn');
  });

  it('says so when no tenant has sent anything yet', () => {
    render(<AdmissionTable admission={{ upstreams: [gate('postgrest')], tenants: [] }} />);
    expect(screen.getByText('No tenant traffic through the gateway yet.')).toBeTruthy();
  });
});
