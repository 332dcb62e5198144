// `apprun export helm`: an umbrella chart of what the field runs in Kubernetes. Its templates are files beside this one
// (helm-chart/templates); the export writes Chart.yaml, values.yaml from this machine's budget, ports and versions,
// and the project folder the chart ships in a ConfigMap. No secret is written: the chart generates them at install.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { packageRoot } from '../../stack/package-root.js';
import { portMap } from '../../stack/ports.js';
import { secretVariable } from '../../stack/secrets.js';
import type { ServiceName } from '../../stack/service-identity.js';
import { APPLIANCE_BUDGET_MB, SERVICES } from '../../stack/services/index.js';
import type { ServiceSpec } from '../../stack/spec.js';
import type { Project } from '../project/project.js';
import { exportName } from './export-folder.js';

/** The images the chart names: the field's own for Postgres, Temporal and the object store; apprun's for the rest. */
export function chartImages(local: Record<ServiceName | 'gateway', string>) {
  const [major, minor] = local.postgres.split('.');
  return {
    postgres: `ghcr.io/cloudnative-pg/postgresql:${major}.${minor}`,
    temporalServer: `temporalio/server:${local.temporal}`,
    temporalAdminTools: `temporalio/admin-tools:${local.temporal}`,
    minio: 'minio/minio:RELEASE.2025-09-07T16-13-09Z',
    seaweedfs: 'chrislusf/seaweedfs:3.80',
  };
}

export interface ChartOptions {
  out: string;
  project: Project;
  specs: ServiceSpec[];
  /** The app image's tag (`apprun images build`): the chart's PostgREST, Kratos, gateway and migrations run it. */
  image: string;
  local: Record<ServiceName | 'gateway', string>;
  withDevUsers: boolean;
}

const chartDir = () => path.join(packageRoot(), 'server', 'export', 'helm-chart');

export function writeChart(o: ChartOptions): { files: string[]; versions: Record<ServiceName | 'gateway', string> } {
  const images = chartImages(o.local);
  const budget = (name: ServiceName) => o.specs.find((s) => s.name === name)?.memoryBudgetMb ?? 128;
  const [repository, tag] = [o.image.slice(0, o.image.lastIndexOf(':')), o.image.slice(o.image.lastIndexOf(':') + 1)];
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  const files: string[] = [];
  const write = (relative: string, text: string) => {
    const file = path.join(o.out, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    files.push(file);
  };
  write(
    'Chart.yaml',
    stringify({
      apiVersion: 'v2',
      name: exportName(o.project),
      description: `${o.project.config.project.name} on apprun: Postgres (CloudNativePG), PostgREST, Kratos, Temporal, an S3 store and the gateway`,
      type: 'application',
      version: '0.1.0',
      appVersion: pkg.version,
      kubeVersion: '>=1.29.0-0',
    }),
  );
  const values = {
    image: { repository, tag, pullPolicy: 'IfNotPresent' },
    ports: portMap(8080),
    postgres: { image: images.postgres, instances: 1, storage: '5Gi', memoryMb: budget('postgres') },
    postgrest: { replicas: 1, memoryMb: budget('postgrest') },
    kratos: { replicas: 1, memoryMb: budget('kratos') },
    temporal: {
      serverImage: images.temporalServer,
      adminToolsImage: images.temporalAdminTools,
      memoryMb: budget('temporal'),
      external: { host: '', port: 7233 },
    },
    objectStore: {
      backend: 'minio',
      storage: '10Gi',
      memoryMb: budget('minio'),
      minio: { image: images.minio },
      seaweedfs: { image: images.seaweedfs },
      external: { host: '', port: 443, secretName: '' },
    },
    gateway: {
      replicas: 2,
      memoryMb: APPLIANCE_BUDGET_MB,
      autoscaling: { enabled: false, minReplicas: 2, maxReplicas: 6, targetCPU: 70 },
    },
    ingress: { enabled: true, className: '', host: 'apprun.example.com', tls: [] },
    devUsers: { enabled: o.withDevUsers },
  };
  write(
    'values.yaml',
    '# apprun export helm: memory from the same budget as on a laptop (requests; limits twice), the ports the\n' +
      '# services use inside their pods (derived from the gateway port: re-export to change them), and the images.\n' +
      '# image: the apprun image (`apprun images build`); tag and push it to a registry the cluster pulls from.\n' +
      stringify(values),
  );
  for (const entry of fs.readdirSync(path.join(chartDir(), 'templates'))) {
    let text = fs.readFileSync(path.join(chartDir(), 'templates', entry), 'utf8');
    // The secret names come from the service files, so a new service's secret is generated too.
    const names = SERVICES.flatMap((s) => Object.keys(s.secrets)).map((n) => `"${secretVariable(n)}"`);
    text = text.replace('APPRUN_SECRET_NAMES', names.join(' '));
    write(path.join('templates', entry), text);
  }
  write('.helmignore', '# Only the chart and its project folder.\n*.tgz\n.git/\n');
  return {
    files,
    versions: {
      postgres: images.postgres.split(':')[1]!,
      postgrest: o.local.postgrest,
      kratos: o.local.kratos,
      temporal: o.local.temporal,
      minio: images.minio.split(':')[1]!,
      gateway: o.local.gateway,
    },
  };
}
