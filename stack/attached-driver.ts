import { EventEmitter } from 'node:events';
import type { Driver, DriverStatus, ResourceUsage } from './driver.js';
import type { ServiceName, ServiceSpec } from './spec.js';

/**
 * The services another process runs (the appliance of the same home), for a second gateway that joins them: it
 * starts, stops and pauses nothing, so a supervisor over it only waits for each service's health. A service counts as
 * running (its health says whether it serves); its resources are the appliance's to measure.
 */
export class AttachedDriver extends EventEmitter implements Driver {
  constructor(
    /** How the appliance runs them. */
    readonly kind: 'native' | 'docker',
  ) {
    super();
  }

  async start(_spec: ServiceSpec): Promise<void> {}

  async stop(_name: ServiceName, _timeoutMs: number): Promise<void> {}

  status(_name: ServiceName): DriverStatus {
    return { running: true };
  }

  logs(_name: ServiceName, _tail: number): string[] {
    return ['(a second gateway: the service runs in the appliance; `apprun status` there, or its logs folder)'];
  }

  async pause(name: ServiceName): Promise<void> {
    throw new Error(`a second gateway holds ${name} still for no one: snapshots are the appliance's own`);
  }

  async resume(_name: ServiceName): Promise<void> {}

  async stats(): Promise<Map<string, ResourceUsage>> {
    return new Map();
  }
}
