import { describe, expect, it } from 'vitest';
import type { TableView } from '../../../server/api/contract';
import { rowsSummary } from './database-model';

const table: TableView = { name: 'notes', kind: 'table', verdict: 'safe', problems: [] };

describe('rowsSummary', () => {
  it('lists rows per tenant by name, or the total, or says there are none', () => {
    expect(rowsSummary({ ...table, rowsByTenant: { 'Test Tenant 2': 1, 'Test Tenant 1': 2 } })).toBe(
      'Test Tenant 1: 2, Test Tenant 2: 1',
    );
    expect(rowsSummary({ ...table, rowsByTenant: {} })).toBe('no rows');
    expect(rowsSummary({ ...table, rows: 7 })).toBe('7 in all');
    expect(rowsSummary({ ...table })).toBe('—');
  });
});
