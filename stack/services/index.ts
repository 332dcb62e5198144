// The stack, one file per service: the definitions of the services service-identity.ts names (that list, without
// Node, is what the dashboard's bundle and every name check read; index.test.ts keeps the two in the same order).
// Everything else about the services (port map, budget, secrets, binaries, images) is derived from this list; adding a
// service means adding its file here and its name there.
import { TOTAL_MEMORY_BUDGET_MB } from '../spec.js';
import type { ServiceDefinition } from './definition.js';
import { kratos } from './kratos.js';
import { minio } from './minio.js';
import { postgres } from './postgres.js';
import { postgrest } from './postgrest.js';
import { temporal } from './temporal.js';

/** In start order of the POC (the supervisor still orders by dependencies). */
export const SERVICES = [postgres, postgrest, kratos, temporal, minio] as const;

type Service = (typeof SERVICES)[number];
/** Every service's port keys (postgres, kratosPublic, …). */
export type ServicePortKey = Service extends infer D
  ? D extends ServiceDefinition<infer P, string>
    ? P
    : never
  : never;
/** Every per-install secret's name. */
export type SecretName = Service extends infer D ? (D extends ServiceDefinition<string, infer S> ? S : never) : never;

/** The 1 GB plan of the POC: each service's share in MiB, and the total. The appliance gets the rest. */
export const MEMORY_BUDGET_MB = {
  total: TOTAL_MEMORY_BUDGET_MB,
  ...(Object.fromEntries(SERVICES.map((s) => [s.name, s.memoryBudgetMb])) as Record<Service['name'], number>),
};

export const APPLIANCE_BUDGET_MB = TOTAL_MEMORY_BUDGET_MB - SERVICES.reduce((sum, s) => sum + s.memoryBudgetMb, 0);
