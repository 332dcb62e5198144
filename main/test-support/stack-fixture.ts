import { SERVICE_NAMES, type ServiceState, type StackView } from '../../server/api/contract';

/** A stack whose services are in the given states, in start order; the rest of each view is plausible filler. */
export function stackWith(states: ServiceState[]): StackView {
  return {
    driver: 'native',
    budgetBytes: 1024 ** 3,
    services: states.map((state, i) => ({
      name: SERVICE_NAMES[i % SERVICE_NAMES.length]!,
      description: '',
      state,
      ports: {},
      restarts: 0,
      memoryBudgetMb: 100,
    })),
    workflowWorker: { state: 'running' },
    applianceMemory: { rssBytes: 0, heapUsedBytes: 0, heapTotalBytes: 0, externalBytes: 0, arrayBuffersBytes: 0 },
    admission: { upstreams: [], tenants: [] },
    gatewayPort: 8080,
    mailPort: 1025,
  };
}
