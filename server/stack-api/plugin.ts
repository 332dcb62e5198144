import type { FastifyPluginAsync } from 'fastify';
import type { AppHome } from '../../stack/home.js';
import type { MetricsSampler } from '../../stack/metrics.js';
import type { PortMap } from '../../stack/ports.js';
import type { ServiceName } from '../../stack/spec.js';
import type { Supervisor } from '../../stack/supervisor.js';
import { type EditableSettings, SERVICE_NAMES, type SettingsView, type StackView } from '../api/contract.js';
import { DomainError } from '../errors.js';
import { MAX_ALLOWED_HOSTS, parseAllowedHosts } from '../http/host-policy.js';
import { loadSettings, saveSettings } from '../settings.js';
import { adminTokenHook } from './admin-token.js';

export interface StackApiOptions {
  adminToken: string;
  supervisor: Supervisor;
  metrics: MetricsSampler;
  home: AppHome;
  ports: PortMap;
  workflowWorker: () => StackView['workflowWorker'];
  /** The running gateway's allowed hosts, for the settings view. */
  allowedHosts: readonly string[];
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
      throw new DomainError('not_found', 'unknown_service', `no service "${name}"; known: ${supervisor.services.join(', ')}`);
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
      workflowWorker: opts.workflowWorker(),
    } satisfies StackView;
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

  const settingsView = async (): Promise<SettingsView> => {
    const { portBase, driver, images, allowedHosts } = loadSettings(opts.home);
    return {
      portBase,
      driver: driver ?? 'native',
      images: images ?? {},
      allowedHosts: allowedHosts ?? [],
      home: opts.home.root,
      ports: { ...opts.ports },
      allowedHostsNow: [...opts.allowedHosts],
      runningDriver: supervisor.driver.kind,
    };
  };
  app.get('/api/settings', settingsView);
  app.put<{ Body: EditableSettings }>(
    '/api/settings',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            portBase: { type: 'integer', minimum: 1024, maximum: 65525 },
            driver: { type: 'string', enum: ['native', 'auto'] },
            images: {
              type: 'object',
              additionalProperties: false,
              properties: Object.fromEntries(SERVICE_NAMES.map((n) => [n, { type: 'string', minLength: 1, maxLength: 300, pattern: '^[A-Za-z0-9][A-Za-z0-9._/:@-]*$' }])),
            },
            // The shape here; what a name or port may be is parseAllowedHosts' (the same check as at start).
            allowedHosts: { type: 'array', maxItems: MAX_ALLOWED_HOSTS, items: { type: 'string', minLength: 1, maxLength: 300, pattern: '^[A-Za-z0-9.:*\\[\\]-]+$' } },
          },
        },
      },
    },
    async (request) => {
      const edits = request.body;
      if (edits.allowedHosts !== undefined) {
        try {
          edits.allowedHosts = parseAllowedHosts(edits.allowedHosts);
        } catch (err) {
          throw new DomainError('invalid', 'invalid_request', (err as Error).message);
        }
      }
      await saveSettings(opts.home, edits);
      return settingsView();
    },
  );
};

export default stackApiPlugin;
