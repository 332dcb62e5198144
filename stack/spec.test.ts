import { describe, expect, it } from 'vitest';
import { type ServiceName, type ServiceSpec, startOrder } from './spec.js';

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
