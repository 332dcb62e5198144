import { describe, expect, it } from 'vitest';
import { profileOf, TenantGuard } from './tenant-guard.js';

const T1 = '00000000-0000-4000-8000-000000000001';
const T2 = '00000000-0000-4000-8000-000000000002';
const guard = new TenantGuard(
  new Map([
    ['api.products', 'tenant_id'],
    ['api.tenants', 'id'],
    ['apprun_kpi.products', 'tenant_id'],
  ]),
);

describe('TenantGuard', () => {
  it('pins reads of tenant-scoped tables to the caller tenant, keeping the caller filters', () => {
    expect(guard.scopeQuery('products', '', T1)).toBe(`?tenant_id=eq.${T1}`);
    expect(guard.scopeQuery('products', `?tenant_id=eq.${T2}`, T1)).toBe(`?tenant_id=eq.${T2}&tenant_id=eq.${T1}`);
    expect(guard.scopeQuery('tenants', '?select=name', T1)).toBe(`?select=name&id=eq.${T1}`);
    // by schema: the KPI fixture's products are pinned too, a table of that name elsewhere is not
    expect(guard.scopeQuery('products', '', T1, 'apprun_kpi')).toBe(`?tenant_id=eq.${T1}`);
    expect(guard.scopeQuery('tenants', '', T1, 'apprun_kpi')).toBe('');
  });

  it('leaves tables without a tenant column alone', () => {
    expect(guard.scopeQuery('rpc/product_count', '?x=1', T1)).toBe('?x=1');
  });

  it('refuses rows naming another tenant, in objects and arrays', () => {
    expect(() => guard.checkWrite('products', { name: 'x', tenant_id: T2 }, T1)).toThrow(/row-level security/);
    expect(() => guard.checkWrite('products', [{ name: 'a' }, { name: 'b', tenant_id: T2 }], T1)).toThrow(
      /row-level security/,
    );
    expect(() => guard.checkWrite('products', { name: 'x', tenant_id: T1 }, T1)).not.toThrow();
    expect(() => guard.checkWrite('products', { name: 'x' }, T1)).not.toThrow();
  });

  it('refuses a CSV header naming the tenant column, whatever the values', () => {
    expect(() => guard.checkColumns('products', ['name', 'tenant_id'])).toThrow(/row-level security/);
    expect(() => guard.checkColumns('products', ['name', 'price'])).not.toThrow();
    expect(() => guard.checkColumns('rpc/product_count', ['tenant_id'])).not.toThrow();
  });
});

describe('profileOf: the schema a request addresses', () => {
  it('is Accept-Profile for reads, Content-Profile for writes, else api', () => {
    expect(profileOf('GET', {})).toBe('api');
    expect(profileOf('GET', { 'accept-profile': 'apprun_kpi' })).toBe('apprun_kpi');
    expect(profileOf('HEAD', { 'accept-profile': 'apprun_kpi', 'content-profile': 'x' })).toBe('apprun_kpi');
    expect(profileOf('POST', { 'accept-profile': 'apprun_kpi' })).toBe('api');
    expect(profileOf('PATCH', { 'content-profile': 'apprun_kpi' })).toBe('apprun_kpi');
  });
});
