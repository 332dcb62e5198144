import { provisionBinary } from './binaries.js';
import { type AppHome, resolveCacheDir, type StackSecrets } from './home.js';
import type { PortMap } from './ports.js';
import { SERVICE_NAMES } from './service-identity.js';
import { serviceUser } from './service-user.js';
import { kratosSpec } from './services/kratos.js';
import { minioSpec } from './services/minio.js';
import { postgresSpec } from './services/postgres.js';
import { postgrestSpec } from './services/postgrest.js';
import { temporalSpec } from './services/temporal.js';
import type { ProgressFn, ServiceName, ServiceSpec } from './spec.js';

export const ALL_SERVICES: readonly ServiceName[] = SERVICE_NAMES;

/** Which port belongs to whom, for the fail-fast check before anything starts. */
export function portOwners(ports: PortMap): [number, string][] {
  return [
    [ports.gateway, 'gateway'],
    [ports.postgres, 'postgres'],
    [ports.postgrest, 'postgrest'],
    [ports.postgrestAdmin, 'postgrest admin'],
    [ports.kratosPublic, 'kratos public API'],
    [ports.kratosAdmin, 'kratos admin API'],
    [ports.temporal, 'temporal'],
    [ports.temporalUi, 'temporal web UI'],
    [ports.minio, 'minio'],
    [ports.minioConsole, 'minio console'],
  ];
}

/** The specs of the whole stack; binaries are found or provisioned first (with progress). */
export async function stackSpecs(
  home: AppHome,
  ports: PortMap,
  secrets: StackSecrets,
  jwks: string,
  progress: ProgressFn,
): Promise<ServiceSpec[]> {
  const cacheDir = resolveCacheDir();
  const binary = (name: 'temporal' | 'minio' | 'kratos') =>
    provisionBinary(name, cacheDir, (e) => progress({ ...e, service: name }));
  // One at a time: a cold build of each takes minutes and both cores.
  const kratos = await binary('kratos');
  const temporal = await binary('temporal');
  const minio = await binary('minio');
  return [
    await postgresSpec(home, ports, secrets, await serviceUser(), progress),
    postgrestSpec(ports, secrets, jwks),
    kratosSpec(home, ports, secrets, kratos),
    temporalSpec(home, ports, temporal),
    minioSpec(home, ports, secrets, minio),
  ];
}
