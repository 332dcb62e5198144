import { describe, expect, it } from 'vitest';
import { APPLIANCE_BUDGET_MB, MEMORY_BUDGET_MB, type ServiceName, type ServiceSpec, startOrder } from './spec.js';

const spec = (name: ServiceName, dependsOn: ServiceName[] = []) => ({ name, dependsOn }) as unknown as ServiceSpec;

describe('startOrder', () => {
  it('puts dependencies first', () => {
    const order = startOrder([spec('postgrest', ['postgres']), spec('kratos', ['postgres']), spec('postgres')]).map(
      (s) => s.name,
    );
    expect(order.indexOf('postgres')).toBeLessThan(order.indexOf('postgrest'));
    expect(order.indexOf('postgres')).toBeLessThan(order.indexOf('kratos'));
  });

  it('names a cycle and an unknown dependency', () => {
    expect(() => startOrder([spec('postgres', ['postgrest']), spec('postgrest', ['postgres'])])).toThrow(
      /cycle: postgres → postgrest → postgres/,
    );
    expect(() => startOrder([spec('postgrest', ['postgres'])])).toThrow(/not part of the stack/);
  });
});

describe('memory budget', () => {
  it('follows the POC plan and leaves the appliance the rest of 1 GB', () => {
    expect(MEMORY_BUDGET_MB.postgres).toBe(256);
    expect(APPLIANCE_BUDGET_MB).toBe(1024 - 256 - 50 - 50 - 150 - 50);
  });
});
