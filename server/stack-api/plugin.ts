import type { FastifyPluginAsync } from 'fastify';
import type { MetricsSampler } from '../../stack/metrics.js';
import type { ServiceName } from '../../stack/spec.js';
import type { Supervisor } from '../../stack/supervisor.js';
import { HttpError } from '../errors.js';
import { adminTokenHook } from './admin-token.js';

export interface StackApiOptions {
  adminToken: string;
  supervisor: Supervisor;
  metrics: MetricsSampler;
}

const serviceParam = {
  type: 'object',
  required: ['service'],
  properties: { service: { type: 'string', maxLength: 32 } },
} as const;

/** /api/stack: what runs, how it is doing, its logs, and start/stop/restart. Admin token required. */
const stackApiPlugin: FastifyPluginAsync<StackApiOptions> = async (app, opts) => {
  const { supervisor, metrics } = opts;
  // These routes answer to the admin token, not to user tokens and RBAC.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'admin-token' };
  });
  app.addHook('onRequest', adminTokenHook(opts.adminToken));

  const known = (name: string): ServiceName => {
    if (!supervisor.services.includes(name as ServiceName)) {
      throw new HttpError(404, 'unknown_service', `no service "${name}"; known: ${supervisor.services.join(', ')}`);
    }
    return name as ServiceName;
  };

  app.get('/api/stack', async () => {
    const sample = metrics.latest();
    return {
      driver: supervisor.driver.kind,
      budgetBytes: metrics.budgetBytes,
      services: supervisor.snapshot().map((s) => ({ ...s, usage: sample?.services[s.name] })),
      appliance: sample?.appliance,
      total: sample?.total,
      sampledAt: sample?.at,
    };
  });

  app.get<{ Querystring: { since?: number } }>(
    '/api/stack/metrics',
    { schema: { querystring: { type: 'object', properties: { since: { type: 'integer', minimum: 0 } }, additionalProperties: false } } },
    async (request) => ({ budgetBytes: metrics.budgetBytes, samples: metrics.since(request.query.since ?? 0) }),
  );

  app.get<{ Params: { service: string }; Querystring: { tail: number } }>(
    '/api/stack/:service/logs',
    {
      schema: {
        params: serviceParam,
        querystring: { type: 'object', properties: { tail: { type: 'integer', minimum: 1, maximum: 2000, default: 200 } }, additionalProperties: false },
      },
    },
    async (request) => ({ service: known(request.params.service), lines: supervisor.driver.logs(known(request.params.service), request.query.tail) }),
  );

  app.post<{ Params: { service: string; action: 'start' | 'stop' | 'restart' } }>(
    '/api/stack/:service/:action',
    {
      schema: {
        params: {
          type: 'object',
          required: ['service', 'action'],
          properties: { service: { type: 'string', maxLength: 32 }, action: { type: 'string', enum: ['start', 'stop', 'restart'] } },
        },
      },
    },
    async (request) => {
      const name = known(request.params.service);
      await supervisor[request.params.action](name);
      return supervisor.snapshot().find((s) => s.name === name);
    },
  );
};

export default stackApiPlugin;
