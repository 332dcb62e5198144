import path from 'node:path';
import { defineFeature } from '../feature.js';
import { smtpSender } from '../mail/smtp-sender.js';
import { type TemporalInterceptors, temporalInterceptors } from '../tracing/otel-switch.js';
import { OnDemandWorker } from './on-demand-worker.js';
import workflowsPlugin from './plugin.js';
import { WorkflowService } from './workflow-service.js';

/**
 * /workflows: Temporal's client, and its worker in the core, started on demand (with the first workflow, or at start
 * when one is open). Needs only Temporal, so it starts beside the other services.
 */
export const workflowsFeature = defineFeature({
  name: 'workflows',
  needs: ['temporal'],
  create({ core, db, sleeper }) {
    const { ports, supervisor, home, progress } = core;
    const address = `127.0.0.1:${ports.temporal}`;
    let connected: WorkflowService | undefined;
    const service = (): WorkflowService => {
      if (!connected) throw new Error('the workflow client is used before the platform connected it');
      return connected;
    };
    let interceptors: TemporalInterceptors | undefined;
    const worker = new OnDemandWorker({
      address,
      db,
      logFile: path.join(home.logsDir, 'workflow-worker.log'),
      onEvent: (step) => progress({ service: 'workflows', step }),
      hasOpenWorkflows: () => service().hasOpenWorkflows(),
      activityInterceptors: () => interceptors?.activity ?? [],
      mail: smtpSender(ports.mail),
    });
    // Temporal sleeps only with no workflow open (a retry or timer due must run on time), the worker stopped first; the
    // next workflow start wakes Temporal (its route's upstream) and the worker (on demand).
    sleeper.holdAwake('temporal', () => (connected ? connected.hasOpenWorkflows() : Promise.resolve(true)));
    sleeper.beforeSleep('temporal', () => worker.idle());
    return {
      /** Temporal's client for the gateway's routes; connected at start. */
      service,
      workerState: () => worker.state,
      async start() {
        interceptors = await temporalInterceptors();
        connected = await WorkflowService.connect({
          interceptors: interceptors?.client,
          address,
          db,
          temporalUiUrl: `http://127.0.0.1:${ports.temporalUi}`,
          temporalState: () => supervisor.snapshot().find((s) => s.name === 'temporal')?.state,
          workerReady: () => worker.start(),
        });
        await worker.startIfNeeded();
      },
      routes: {
        scope: 'tenant',
        register: (app) => app.register(workflowsPlugin, { prefix: '/workflows', workflows: service }),
      },
      async stop() {
        // The worker first: a workflow mid-flight simply waits in Temporal for the next start.
        await worker.stop().catch(() => undefined);
        await connected?.close();
      },
    };
  },
});
