import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { AppHome } from '../../stack/home.js';
import { secretVariable } from '../../stack/secrets.js';
import { APPLIANCE_BUDGET_MB, SERVICES } from '../../stack/services/index.js';
import { provisionTool } from '../../stack/tools.js';
import { openProject } from '../project/project.js';
import { ExportError } from './export-folder.js';
import { requireImage, runExport } from './exporter.js';
import { type RenderedObject, validateObject } from './k8s-validate.js';

// The Helm export, linted, rendered and validated offline with helm built from its Go module (no cluster can run
// here): what the chart makes, and that it makes nothing it should not.

const exec = promisify(execFile);
let helm: string;
let root: string;
let out: string;
const home = () => new AppHome(path.join(root, 'home'));

const render = async (...set: string[]): Promise<RenderedObject[]> => {
  const { stdout } = await exec(helm, ['template', 'demo', out, ...set.flatMap((s) => ['--set', s])], {
    maxBuffer: 32 * 2 ** 20,
  });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as RenderedObject)
    .filter(Boolean);
};
const containers = (o: RenderedObject) => [
  ...(o.spec?.template?.spec?.initContainers ?? []),
  ...(o.spec?.template?.spec?.containers ?? []),
];

beforeAll(async () => {
  helm = await provisionTool('helm');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-helm-'));
  out = path.join(root, 'chart');
  await runExport({
    home: home(),
    project: openProject(undefined, root),
    target: 'helm',
    out,
    force: false,
    withDevUsers: false,
    skipCheck: true,
    progress: () => undefined,
  });
}, 600_000);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('apprun export helm', () => {
  it('passes helm lint', async () => {
    const { stdout } = await exec(helm, ['lint', out]);
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('renders objects that each validate against the Kubernetes and CloudNativePG schemas', async () => {
    const objects = await render();
    expect(objects.length).toBeGreaterThanOrEqual(15);
    for (const o of objects) await validateObject(o);
    // The validation is real: a wrong type is refused.
    const gateway = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'demo-gateway')!;
    await expect(validateObject({ ...gateway, spec: { ...gateway.spec, replicas: 'two' } })).rejects.toThrow(
      /replicas must be integer/,
    );
  });

  it('runs Postgres as a CloudNativePG Cluster with a generated superuser, and Temporal on it, never SQLite', async () => {
    const objects = await render();
    const cluster = objects.filter((o) => o.kind === 'Cluster');
    expect(cluster).toHaveLength(1);
    expect(cluster[0]!.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(cluster[0]!.spec.superuserSecret.name).toBe('demo-db-superuser');
    const temporal = objects.find((o) => o.metadata.name === 'demo-temporal' && o.kind === 'Deployment')!;
    const env = Object.fromEntries(
      containers(temporal)[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]),
    );
    expect(env).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'demo-db-rw' });
    expect(JSON.stringify(objects).toLowerCase()).not.toContain('sqlite');
  });

  it('migrates in one ordered Job: the platform and the project, then Kratos', async () => {
    const jobs = (await render()).filter((o) => o.kind === 'Job' && o.metadata.name.startsWith('demo-migrations'));
    expect(jobs).toHaveLength(1);
    const steps = containers(jobs[0]!).map((c: { name: string; command: string[] }) => [
      c.name,
      c.command.slice(2).join(' '),
    ]);
    expect(steps).toEqual([
      ['links', 'forward'],
      ['platform-and-project', 'service postgrest --prepare-only'],
      ['kratos', 'service kratos --prepare-only'],
    ]);
  });

  it('runs 2+ gateway replicas, or an autoscaler from 2; fewer is refused', async () => {
    const gateway = (await render()).find((o) => o.metadata.name === 'demo-gateway' && o.kind === 'Deployment')!;
    expect(gateway.spec.replicas).toBeGreaterThanOrEqual(2);
    const scaled = await render('gateway.autoscaling.enabled=true');
    const hpa = scaled.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(
      scaled.find((o) => o.metadata.name === 'demo-gateway' && o.kind === 'Deployment')!.spec.replicas,
    ).toBeUndefined();
    await expect(render('gateway.replicas=1')).rejects.toThrow(/gateway.replicas must be 2 or more/);
  });

  it('has one Ingress, and it leads only to the gateway', async () => {
    const ingresses = (await render()).filter((o) => o.kind === 'Ingress');
    expect(ingresses).toHaveLength(1);
    const backends = ingresses[0]!.spec.rules.flatMap((r: { http: { paths: { backend: unknown }[] } }) =>
      r.http.paths.map((p) => p.backend),
    );
    expect(backends).toEqual([{ service: { name: 'demo-gateway', port: { name: 'http' } } }]);
  });

  it('generates every secret at install: none fixed, none in the export folder', async () => {
    const [a, b] = await Promise.all([render(), render()]);
    const secretsOf = (objects: RenderedObject[]) => objects.filter((o) => o.kind === 'Secret');
    expect(
      secretsOf(a)
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['demo-db-superuser', 'demo-secrets']);
    const names = SERVICES.flatMap((s) => Object.keys(s.secrets)).map(secretVariable);
    const first = secretsOf(a).find((s) => s.metadata.name === 'demo-secrets')!.data;
    const second = secretsOf(b).find((s) => s.metadata.name === 'demo-secrets')!.data;
    for (const name of [...names, 'APPRUN_ADMIN_TOKEN', 'APPRUN_SIGNING_KEY']) {
      expect(first[name], name).toBeTruthy();
      expect(first[name], `${name} is the same in two renders`).not.toBe(second[name]);
    }
    const superuser = secretsOf(a).find((s) => s.metadata.name === 'demo-db-superuser')!.data;
    expect(superuser.password).toBe(first.APPRUN_SECRET_POSTGRES_PASSWORD);
    // The signing key is an Ed25519 private key, made at install.
    expect(Buffer.from(first.APPRUN_SIGNING_KEY, 'base64').toString()).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    // Nothing secret in the folder: no env file, and no value of a render in any file.
    const files = fs.readdirSync(out, { recursive: true }) as string[];
    expect(files.filter((f) => /secret|\.env$/.test(f) && !f.endsWith('secrets.yaml'))).toEqual([]);
    // The dev users stay out unless asked for.
    expect(fs.readFileSync(path.join(out, 'project', 'apprun', 'config.toml'), 'utf8')).not.toMatch(/\[\[users\]\]/);
  });

  it('sizes each workload from the same memory budget as a laptop', async () => {
    const objects = await render();
    const gateway = objects.find((o) => o.metadata.name === 'demo-gateway' && o.kind === 'Deployment')!;
    expect(containers(gateway).at(-1).resources.requests.memory).toBe(`${APPLIANCE_BUDGET_MB}Mi`);
    for (const o of objects.filter((x) => ['Deployment', 'StatefulSet', 'Job'].includes(x.kind)))
      for (const c of containers(o))
        expect(c.resources?.requests?.memory, `${o.metadata.name}/${c.name}`).toMatch(/Mi$/);
  });

  it('takes the object store as a value: SeaweedFS, an external S3 store, and refuses another', async () => {
    const weed = await render('objectStore.backend=seaweedfs');
    expect(containers(weed.find((o) => o.kind === 'StatefulSet')!)[0].image).toMatch(/^chrislusf\/seaweedfs:/);
    const external = await render(
      'objectStore.backend=external',
      'objectStore.external.host=s3.example.com',
      'objectStore.external.secretName=s3-keys',
    );
    expect(external.some((o) => o.kind === 'StatefulSet')).toBe(false);
    await expect(render('objectStore.backend=ceph')).rejects.toThrow(/must be minio, seaweedfs or external/);
    await expect(render('objectStore.backend=external')).rejects.toThrow(/objectStore.external.secretName/);
  });
});

describe('apprun export: bad input', () => {
  const options = () => ({
    home: home(),
    project: openProject(undefined, root),
    out: path.join(root, 'other'),
    force: false,
    withDevUsers: false,
    skipCheck: true,
    progress: () => undefined,
  });

  it('refuses an unknown target, naming the known ones', async () => {
    await expect(runExport({ ...options(), target: 'nomad' })).rejects.toThrow(
      new ExportError('unknown export target "nomad": apprun export compose|helm --out DIR'),
    );
  });

  it('refuses a folder that is not empty unless --force, and then replaces what it held', async () => {
    const dir = path.join(root, 'full');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'keep-me.txt'), 'mine');
    await expect(runExport({ ...options(), target: 'helm', out: dir })).rejects.toThrow(
      /is not empty \(keep-me.txt\).*--force/,
    );
    expect(fs.readFileSync(path.join(dir, 'keep-me.txt'), 'utf8')).toBe('mine');
    await runExport({ ...options(), target: 'helm', out: dir, force: true });
    expect(fs.existsSync(path.join(dir, 'keep-me.txt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'Chart.yaml'))).toBe(true);
  });

  it('without a running appliance, refuses to export unchecked migrations unless told to', async () => {
    await expect(runExport({ ...options(), target: 'helm', skipCheck: false })).rejects.toThrow(
      /apprun is not running for .*checks the project's migrations.*--skip-check/,
    );
  });

  it('says which image is missing and how to build it (compose)', async () => {
    await expect(requireImage('apprun-local/apprun:000000000000')).rejects.toThrow(
      /the image apprun-local\/apprun:000000000000 is missing .*build it with `apprun images build`/,
    );
  });
});
