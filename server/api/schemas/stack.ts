// The control API's wire types: the stack, its metrics and logs, service actions, settings.
import { Type } from 'typebox';
import { SERVICE_NAMES, SERVICE_STATES } from '../../../stack/service-identity.js';
import { MAX_ALLOWED_HOSTS } from '../../http/host-policy.js';

export const ServiceNameSchema = Type.Enum(SERVICE_NAMES);
export const ServiceStateSchema = Type.Enum(SERVICE_STATES);
export const ServiceActionSchema = Type.Enum(['start', 'stop', 'restart']);

export const UsageSchema = Type.Object({ memoryBytes: Type.Number(), cpuPercent: Type.Number() });

export const ServiceViewSchema = Type.Object({
  name: ServiceNameSchema,
  description: Type.String(),
  state: ServiceStateSchema,
  pid: Type.Optional(Type.Integer()),
  ports: Type.Record(Type.String(), Type.Integer()),
  startedAt: Type.Optional(Type.Number()),
  restarts: Type.Integer(),
  memoryBudgetMb: Type.Number(),
  lastExit: Type.Optional(
    Type.Object({
      code: Type.Union([Type.Integer(), Type.Null()]),
      signal: Type.Union([Type.String(), Type.Null()]),
      reason: Type.String(),
      at: Type.Number(),
    }),
  ),
  failure: Type.Optional(Type.Object({ reason: Type.String(), logTail: Type.Array(Type.String()) })),
  /** Asleep (idle): since when (ms since the epoch), and the memory it held when it went to sleep. */
  asleep: Type.Optional(Type.Object({ since: Type.Number(), savedBytes: Type.Optional(Type.Number()) })),
  usage: Type.Optional(UsageSchema),
  /** Under the Docker driver: the service's container and the image it runs. */
  container: Type.Optional(Type.Object({ id: Type.String(), image: Type.String() })),
});

export const WorkflowWorkerSchema = Type.Object({
  /** idle: not started yet, it starts with the first workflow (or at start when one is open). */
  state: Type.Enum(['idle', 'starting', 'running', 'stopped', 'failed']),
  error: Type.Optional(Type.String()),
});

/** One upstream's gate: how much goes through now, how much waits, and its limits. */
export const UpstreamAdmissionSchema = Type.Object({
  upstream: Type.Enum(['postgrest', 'kratos', 'minio', 'temporal']),
  /** Slots open now: maxInFlight, or fewer while the gateway's own event loop is saturated. */
  capacity: Type.Integer(),
  inFlight: Type.Integer(),
  queued: Type.Integer(),
  maxInFlight: Type.Integer(),
  maxQueued: Type.Integer(),
  maxWaitMs: Type.Integer(),
});

/** One tenant's traffic through every gate since start: let through, refused as over its share, refused as overload. */
export const TenantAdmissionSchema = Type.Object({
  tenantId: Type.String(),
  name: Type.String(),
  plan: Type.Optional(Type.Enum(['free', 'pro'])),
  admitted: Type.Integer(),
  rateLimited: Type.Integer(),
  overloaded: Type.Integer(),
  inFlight: Type.Integer(),
  queued: Type.Integer(),
});

export const AdmissionViewSchema = Type.Object({
  upstreams: Type.Array(UpstreamAdmissionSchema),
  tenants: Type.Array(TenantAdmissionSchema),
});

/**
 * Where the appliance's own memory goes (process.memoryUsage): the JavaScript heap (used, and held by V8), buffers
 * outside it, and the rest of the resident set (native code and memory: Node, the Temporal worker's core, TLS).
 */
export const ApplianceMemorySchema = Type.Object({
  rssBytes: Type.Number(),
  heapUsedBytes: Type.Number(),
  heapTotalBytes: Type.Number(),
  externalBytes: Type.Number(),
  arrayBuffersBytes: Type.Number(),
});

export const StackViewSchema = Type.Object({
  driver: Type.Enum(['native', 'docker']),
  budgetBytes: Type.Number(),
  services: Type.Array(ServiceViewSchema),
  appliance: Type.Optional(UsageSchema),
  applianceMemory: ApplianceMemorySchema,
  total: Type.Optional(UsageSchema),
  sampledAt: Type.Optional(Type.Number()),
  /** The Temporal worker inside the core: restarted with backoff when it fails. */
  workflowWorker: WorkflowWorkerSchema,
  /** Admission control at the gateway: the upstreams' gates and each tenant's traffic. */
  admission: AdmissionViewSchema,
  /** The gateway's and the mail catcher's ports (the services' are on each service). */
  gatewayPort: Type.Integer(),
  mailPort: Type.Integer(),
});

export const MetricsSampleSchema = Type.Object({
  at: Type.Number(),
  services: Type.Record(Type.String(), UsageSchema),
  appliance: UsageSchema,
  total: UsageSchema,
});
export const MetricsViewSchema = Type.Object({ budgetBytes: Type.Number(), samples: Type.Array(MetricsSampleSchema) });
export const MetricsQuerySchema = Type.Object(
  { since: Type.Optional(Type.Integer({ minimum: 0 })) },
  { additionalProperties: false },
);

export const LogsViewSchema = Type.Object({ service: ServiceNameSchema, lines: Type.Array(Type.String()) });
export const LogsQuerySchema = Type.Object(
  { tail: Type.Integer({ minimum: 1, maximum: 2000, default: 200 }) },
  { additionalProperties: false },
);
export const ServiceParamsSchema = Type.Object({ service: Type.String({ maxLength: 32 }) });
export const ServiceActionParamsSchema = Type.Object({
  service: Type.String({ maxLength: 32 }),
  action: ServiceActionSchema,
});

const PLAN_LIMITS = Type.Object(
  {
    weight: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    functionConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  },
  { additionalProperties: false },
);

export const DriverChoiceSchema = Type.Enum(['native', 'docker', 'auto']);
const IMAGE = Type.String({ minLength: 1, maxLength: 300, pattern: '^[A-Za-z0-9][A-Za-z0-9._/:@-]*$' });

/** What the Settings screen edits; saved to APPRUN_HOME/settings.json, applied at the next start. */
export const EditableSettingsSchema = Type.Object(
  {
    portBase: Type.Optional(Type.Integer({ minimum: 1024, maximum: 65525 })),
    driver: Type.Optional(DriverChoiceSchema),
    /**
     * Kratos, MinIO and Temporal sleep after this many seconds without a request and wake on the next one (0: never).
     * APPRUN_IDLE_SLEEP_S, when set, wins. Applied at the next start.
     */
    idleSleepSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
    /** Container image per service, for the Docker driver. */
    images: Type.Optional(
      Type.Object(
        {
          postgres: Type.Optional(IMAGE),
          postgrest: Type.Optional(IMAGE),
          kratos: Type.Optional(IMAGE),
          temporal: Type.Optional(IMAGE),
          minio: Type.Optional(IMAGE),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * Names besides loopback the gateway answers to (a reverse proxy's, say): `host` (any port) or `host:port`, at most
     * 16, no wildcards (what a name may be is parseAllowedHosts', the same check as at start). APPRUN_ALLOWED_HOSTS,
     * when set, replaces this list.
     */
    allowedHosts: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 300, pattern: '^[A-Za-z0-9.:*\\[\\]-]+$' }), {
        maxItems: MAX_ALLOWED_HOSTS,
      }),
    ),
    /** What each plan allows: its weight in a contended upstream, and its concurrent function invocations. */
    plans: Type.Optional(
      Type.Object(
        { free: Type.Optional(PLAN_LIMITS), pro: Type.Optional(PLAN_LIMITS) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SettingsViewSchema = Type.Object({
  ...EditableSettingsSchema.properties,
  home: Type.String(),
  /** The ports of the running core (the settings' portBase applies at the next start). */
  ports: Type.Record(Type.String(), Type.Integer()),
  /** The allowed hosts of the running core (the settings' allowedHosts apply at the next start). */
  allowedHostsNow: Type.Array(Type.String()),
  runningDriver: Type.Enum(['native', 'docker']),
  /** The official image of each service at its pinned tag: what the Docker driver runs without an override. */
  defaultImages: Type.Record(Type.String(), Type.String()),
});
