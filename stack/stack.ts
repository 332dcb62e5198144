import { provisionBinary } from './binaries.js';
import { clusterTemplate } from './cluster-template.js';
import { type AppHome, resolveCacheDir } from './home.js';
import { PORT_OWNERS, type PortMap } from './ports.js';
import type { StackSecrets } from './secrets.js';
import { LOOPBACK, type ServiceContext, type ServiceDefinition, type ServiceNetwork } from './services/definition.js';
import { SERVICES } from './services/index.js';
import type { ProgressFn, ServiceSpec } from './spec.js';

/** Which port belongs to whom, for the fail-fast check before anything starts. */
export function portOwners(ports: PortMap): [number, string][] {
  return (Object.keys(ports) as (keyof PortMap)[]).map((key) => [ports[key], PORT_OWNERS[key]]);
}

export interface StackContext {
  home: AppHome;
  ports: PortMap;
  secrets: StackSecrets;
  jwks: string;
  progress: ProgressFn;
  /** Where the services listen and reach each other (loopback unless the driver publishes ports). */
  network?: ServiceNetwork;
  /** See ServiceContext.databaseReady. */
  databaseReady?: ServiceContext['databaseReady'];
}

/** One service's spec for a home: its file's run, resolved, with what its definition declares. */
export async function serviceSpec(service: ServiceDefinition, context: StackContext): Promise<ServiceSpec> {
  const run = await service.spec({
    ...context,
    network: context.network ?? LOOPBACK,
    binary: () => {
      if (!service.binary) throw new Error(`${service.name} declares no binary recipe`);
      return provisionBinary(service.name, service.binary, resolveCacheDir(), (e) =>
        context.progress({ ...e, service: service.name }),
      );
    },
    clusterTemplate: () => clusterTemplate(resolveCacheDir(), context.progress),
  });
  return {
    ...run,
    name: service.name,
    description: service.description,
    ports: Object.fromEntries(Object.keys(service.ports).map((key) => [key, context.ports[key as keyof PortMap]])),
    memoryBudgetMb: service.memoryBudgetMb,
    dependsOn: service.dependsOn,
    image: service.image,
  };
}

/** The specs of the whole stack, one per service file; binaries are found or provisioned first (with progress). */
export async function stackSpecs(context: StackContext): Promise<ServiceSpec[]> {
  const specs: ServiceSpec[] = [];
  // One at a time: a cold build of a Go binary takes minutes and both cores.
  for (const service of SERVICES) specs.push(await serviceSpec(service, context));
  return specs;
}
