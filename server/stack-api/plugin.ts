import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkImageOverrides } from '../../stack/docker/image-source.js';
import type { AppHome } from '../../stack/home.js';
import type { MetricsSampler } from '../../stack/metrics.js';
import type { PortMap } from '../../stack/ports.js';
import { SERVICES } from '../../stack/services/index.js';
import type { ServiceName } from '../../stack/spec.js';
import type { Supervisor } from '../../stack/supervisor.js';
import type { SettingsView, StackView } from '../api/contract.js';
import { NoQuery, responses } from '../api/schemas/common.js';
import {
  EditableSettingsSchema,
  LogsQuerySchema,
  LogsViewSchema,
  MetricsQuerySchema,
  MetricsViewSchema,
  ServiceActionParamsSchema,
  ServiceParamsSchema,
  ServiceViewSchema,
  SettingsViewSchema,
  StackViewSchema,
} from '../api/schemas/stack.js';
import { DomainError } from '../errors.js';
import { parseAllowedHosts } from '../http/host-policy.js';
import { primaryOnly } from '../replica/primary-only.js';
import { loadSettings, saveSettings } from '../settings.js';
import type { TenantPlans } from '../tenancy/tenant-plans.js';

export interface StackApiOptions {
  supervisor: Supervisor;
  metrics: MetricsSampler;
  home: AppHome;
  ports: PortMap;
  workflowWorker: () => StackView['workflowWorker'];
  admission: () => StackView['admission'];
  /** Tenants' plans: their limits are shown in the settings and a save applies new ones at once. */
  plans: TenantPlans;
  /** The running gateway's allowed hosts, for the settings view. */
  allowedHosts: readonly string[];
  /** A second gateway: the services are the appliance's to start, stop and restart. */
  replica?: boolean;
}

/** The core's memory as V8 and the OS see it, now. */
function applianceMemory() {
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    arrayBuffersBytes: m.arrayBuffers,
  };
}

/** /api/stack and /api/settings: what runs, how it is doing, its logs, start/stop/restart (in the admin scope). */
const stackApiPlugin: FastifyPluginAsyncTypebox<StackApiOptions> = async (app, opts) => {
  const { supervisor, metrics } = opts;

  const known = (name: string): ServiceName => {
    if (!supervisor.services.includes(name as ServiceName)) {
      throw new DomainError(
        'not_found',
        'unknown_service',
        `no service "${name}"; known: ${supervisor.services.join(', ')}`,
      );
    }
    return name as ServiceName;
  };

  app.get(
    '/api/stack',
    { schema: { querystring: NoQuery, response: responses({ 200: StackViewSchema }) } },
    async () => {
      const sample = metrics.latest();
      return {
        driver: supervisor.driver.kind,
        budgetBytes: metrics.budgetBytes,
        services: supervisor.snapshot().map((s) => ({
          ...s,
          usage: sample?.services[s.name],
          container: supervisor.driver.container?.(s.name),
        })),
        appliance: sample?.appliance,
        applianceMemory: applianceMemory(),
        total: sample?.total,
        sampledAt: sample?.at,
        workflowWorker: opts.workflowWorker(),
        admission: opts.admission(),
        gatewayPort: opts.ports.gateway,
        mailPort: opts.ports.mail,
      } satisfies StackView;
    },
  );

  app.get(
    '/api/stack/metrics',
    { schema: { querystring: MetricsQuerySchema, response: responses({ 200: MetricsViewSchema }) } },
    async (request) => ({ budgetBytes: metrics.budgetBytes, samples: metrics.since(request.query.since ?? 0) }),
  );

  app.get(
    '/api/stack/:service/logs',
    {
      schema: {
        params: ServiceParamsSchema,
        querystring: LogsQuerySchema,
        response: responses({ 200: LogsViewSchema }),
      },
    },
    async (request) => ({
      service: known(request.params.service),
      lines: supervisor.driver.logs(known(request.params.service), request.query.tail),
    }),
  );

  app.post(
    '/api/stack/:service/:action',
    {
      schema: {
        params: ServiceActionParamsSchema,
        querystring: NoQuery,
        response: responses({ 200: ServiceViewSchema }),
      },
    },
    async (request) => {
      const name = known(request.params.service);
      if (opts.replica) throw primaryOnly(`${request.params.action} ${name}`);
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
      plans: opts.plans.planLimits(),
      defaultImages: Object.fromEntries(SERVICES.map((s) => [s.name, s.image.image])),
      home: opts.home.root,
      ports: { ...opts.ports },
      allowedHostsNow: [...opts.allowedHosts],
      runningDriver: supervisor.driver.kind,
    };
  };
  app.get(
    '/api/settings',
    { schema: { querystring: NoQuery, response: responses({ 200: SettingsViewSchema }) } },
    settingsView,
  );
  app.put(
    '/api/settings',
    {
      schema: { querystring: NoQuery, body: EditableSettingsSchema, response: responses({ 200: SettingsViewSchema }) },
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
      try {
        checkImageOverrides(edits.images ?? {});
      } catch (err) {
        throw new DomainError('invalid', 'invalid_request', (err as Error).message);
      }
      const saved = await saveSettings(opts.home, edits);
      opts.plans.setOverrides(saved.plans ?? {});
      return settingsView();
    },
  );
};

export default stackApiPlugin;
