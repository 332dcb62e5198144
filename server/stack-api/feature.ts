import { defineFeature } from '../feature.js';
import { workflowsFeature } from '../workflows/feature.js';
import stackApiPlugin from './plugin.js';

/** /api/stack and /api/settings: the services, their metrics and logs, start/stop/restart, and the settings. */
export const stackApiFeature = defineFeature({
  name: 'stack-api',
  create({ core, gates, plans, hostPolicy, use }) {
    const workflows = use(workflowsFeature);
    return {
      routes: {
        scope: 'admin',
        register: (app) =>
          app.register(stackApiPlugin, {
            supervisor: core.supervisor,
            metrics: core.metrics,
            home: core.home,
            ports: core.ports,
            workflowWorker: workflows.workerState,
            admission: () => gates.view(),
            plans,
            allowedHosts: hostPolicy.allowedHosts,
            replica: core.replica !== undefined,
          }),
      },
    };
  },
});
