// `apprun export compose`: a Compose Spec file for the project. Every container runs the apprun image (`apprun images
// build`): `apprun service NAME` for each service, so a container prepares and runs its service from the same spec as
// `apprun up` (the project's migrations and seed are applied by PostgREST's preparation, each once), and `apprun gateway
// --standalone` for the gateway. The secrets go to secrets.env (0600), never into compose.yaml.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { CONTAINER_HOME } from '../../stack/docker/app-image.js';
import { portMap } from '../../stack/ports.js';
import { APPLIANCE_BUDGET_MB } from '../../stack/services/index.js';
import type { ServiceSpec } from '../../stack/spec.js';

/** host: every container on the host's network (this machine's engine has no bridge); private: one shared network
 * namespace (like a pod: the services reach each other on 127.0.0.1 as they do locally), only the gateway published. */
export type ComposeNetwork = 'host' | 'private';

export interface ComposeModelOptions {
  specs: ServiceSpec[];
  image: string;
  portBase: number;
  network: ComposeNetwork;
  projectName: string;
  /** The app image's apprun, by absolute path (no shell in the image to find it on a PATH). */
  cli: string;
}

const MiB = 'm';
/** A container's hard limit is twice its share, as under the Docker driver (cgroup v1 counts the page cache). */
const limits = (shareMb: number) => ({ mem_reservation: `${shareMb}${MiB}`, mem_limit: `${2 * shareMb}${MiB}` });

/** The namespace holder of the private network: it only sleeps (a container's network lives as long as it does). */
const NETWORK_HOLDER = 'network';

/** The compose.yaml model (plain data, serialized by `composeYaml`). */
export function composeModel(o: ComposeModelOptions): Record<string, unknown> {
  const ports = portMap(o.portBase);
  const apprun = (...args: string[]) => [
    'node',
    o.cli,
    ...args,
    '--port-base',
    `${o.portBase}`,
    '--project',
    '/project',
  ];
  const network =
    o.network === 'host' ? { network_mode: 'host' } : { network_mode: `service:${NETWORK_HOLDER}` as string };
  const common = (name: string) => ({
    image: o.image,
    env_file: ['secrets.env'],
    ...network,
    volumes: [`${name}-home:${CONTAINER_HOME}`, './project:/project:ro'],
    restart: 'unless-stopped',
  });
  const services: Record<string, unknown> = {};
  if (o.network === 'private')
    services[NETWORK_HOLDER] = {
      image: o.image,
      command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
      // Only the gateway is published; APPRUN_PUBLISH_ADDRESS=0.0.0.0 in .env opens it beyond this host.
      ports: [`\${APPRUN_PUBLISH_ADDRESS:-127.0.0.1}:${ports.gateway}:${ports.gateway}`],
      restart: 'unless-stopped',
      mem_limit: '32m',
    };
  for (const spec of o.specs) {
    services[spec.name] = {
      ...common(spec.name),
      command: apprun('service', spec.name),
      ...(spec.dependsOn.length || o.network === 'private'
        ? {
            depends_on: Object.fromEntries([
              ...(o.network === 'private' ? [[NETWORK_HOLDER, { condition: 'service_started' }]] : []),
              ...spec.dependsOn.map((d) => [d, { condition: 'service_healthy' }]),
            ]),
          }
        : {}),
      healthcheck: {
        test: ['CMD', ...apprun('service', spec.name, '--check')],
        interval: '5s',
        timeout: '5s',
        retries: 5,
        // A first start prepares (a database cluster, migrations): generous before failures count.
        start_period: `${Math.ceil(spec.startTimeoutMs / 1000) + 60}s`,
      },
      stop_grace_period: `${Math.ceil(spec.stopTimeoutMs / 1000) + 5}s`,
      ...limits(spec.memoryBudgetMb),
    };
  }
  services.gateway = {
    ...common('gateway'),
    command: [
      ...apprun('gateway', '--standalone', '--port', `${ports.gateway}`),
      ...(o.network === 'private' ? ['--host', '0.0.0.0'] : []),
    ],
    depends_on: Object.fromEntries(o.specs.map((s) => [s.name, { condition: 'service_healthy' }])),
    healthcheck: {
      test: [
        'CMD',
        'node',
        '-e',
        `fetch('http://127.0.0.1:${ports.gateway}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      ],
      interval: '5s',
      timeout: '5s',
      retries: 5,
      start_period: '120s',
    },
    stop_grace_period: '15s',
    ...limits(APPLIANCE_BUDGET_MB),
  };
  return {
    name: o.projectName,
    services,
    volumes: Object.fromEntries([...o.specs.map((s) => s.name), 'gateway'].map((n) => [`${n}-home`, {}])),
  };
}

/** compose.yaml with a header saying what it is and how to run it. */
export function composeYaml(model: Record<string, unknown>, header: string[]): string {
  return `${header.map((l) => `# ${l}`.trimEnd()).join('\n')}\n${stringify(model, { lineWidth: 0 })}`;
}

export function writeCompose(out: string, model: Record<string, unknown>, header: string[]): string {
  const file = path.join(out, 'compose.yaml');
  fs.writeFileSync(file, composeYaml(model, header));
  return file;
}
