import type { AppHome } from '../../stack/home.js';
import { type PortMap, portMap } from '../../stack/ports.js';
import { loadOrCreateSecrets } from '../../stack/secrets.js';
import type { ProgressFn, ServiceSpec } from '../../stack/spec.js';
import { stackSpecs } from '../../stack/stack.js';
import { jwksOf, loadOrCreateSigningKey } from '../auth/signing-keys.js';
import { projectDatabaseHook } from '../project/database-hook.js';
import type { Project } from '../project/project.js';
import { loadSettings } from '../settings.js';

/** The services' ports, as `apprun up` resolves them, without picking a free block (the services hold theirs). */
export const apartPorts = (home: AppHome, project: Project, portBase: number | undefined): PortMap =>
  portMap(portBase ?? project.config.ports?.base ?? loadSettings(home).portBase);

/** Every service's spec for this home and project, as `apprun up` makes them (its secrets, its signing key's JWKS). */
export async function serviceSpecs(
  home: AppHome,
  project: Project,
  portBase: number | undefined,
  progress: ProgressFn,
  /** Where the services listen: 127.0.0.1, unless a pod's Service must reach them (0.0.0.0). */
  listen = '127.0.0.1',
): Promise<ServiceSpec[]> {
  await home.ensure();
  const [secrets, signingKey] = await Promise.all([loadOrCreateSecrets(home), loadOrCreateSigningKey(home)]);
  return stackSpecs({
    home,
    ports: apartPorts(home, project, portBase),
    secrets,
    jwks: JSON.stringify(jwksOf([signingKey])),
    progress,
    databaseReady: projectDatabaseHook(project),
    network: { listen, peer: '127.0.0.1' },
  });
}
