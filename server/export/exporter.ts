// `apprun export TARGET`: the steps every target shares, then the target's own files, with progress and the version
// drift table. Targets: compose (run here for real), helm (linted, rendered and validated here; no cluster).
import path from 'node:path';
import { APP_CLI, appImageTag } from '../../stack/docker/app-image.js';
import { recipeOf } from '../../stack/docker/docker-driver.js';
import type { AppHome } from '../../stack/home.js';
import type { ProgressFn, ServiceSpec } from '../../stack/spec.js';
import type { Project } from '../project/project.js';
import { apartPorts, serviceSpecs } from '../replica/service-specs.js';
import { type ComposeNetwork, composeModel, writeCompose } from './compose-export.js';
import {
  checkMigrations,
  copyProject,
  ExportError,
  exportName,
  exportSecrets,
  prepareOutput,
  writeEnvFile,
} from './export-folder.js';
import { describeDrift, driftRows, localVersions } from './versions.js';

export const EXPORT_TARGETS = ['compose', 'helm'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];

export interface ExportOptions {
  home: AppHome;
  project: Project;
  target: string;
  out: string;
  force: boolean;
  withDevUsers: boolean;
  skipCheck: boolean;
  portBase?: number;
  network?: ComposeNetwork;
  progress: ProgressFn;
}

export interface ExportResult {
  out: string;
  files: string[];
  report: string;
}

export async function runExport(o: ExportOptions): Promise<ExportResult> {
  if (!EXPORT_TARGETS.includes(o.target as ExportTarget))
    throw new ExportError(`unknown export target "${o.target}": apprun export compose|helm --out DIR`);
  if (o.network && o.target !== 'compose') throw new ExportError('--network is for `apprun export compose`');
  if (o.network && o.network !== 'host' && o.network !== 'private')
    throw new ExportError(`--network takes host or private, not "${o.network}"`);
  const out = path.resolve(o.out);
  const step = (s: string, fraction?: number) => o.progress({ step: s, fraction });
  step(`checking the project's migrations`, 0);
  const checked = await checkMigrations(o.home, o.skipCheck);
  const specs = await serviceSpecs(o.home, o.project, o.portBase, () => undefined);
  const target = o.target as ExportTarget;
  const image = target === 'compose' ? await requireAppImage(specs) : undefined;
  prepareOutput(out, o.force, o.project);
  step('copying the project', 0.3);
  copyProject(o.project, out, o.withDevUsers);
  const local = await localVersions(specs);
  const files: string[] = [];
  let exported: Record<keyof typeof local, string>;
  let run: string;
  if (target === 'compose') {
    const portBase = apartPorts(o.home, o.project, o.portBase).gateway;
    writeEnvFile(
      path.join(out, 'secrets.env'),
      await exportSecrets(o.home, o.withDevUsers),
      '# apprun export: the secrets of this export alone (0600). Keep it out of version control.',
    );
    const model = composeModel({
      specs,
      image: image!,
      portBase,
      network: o.network ?? 'private',
      projectName: exportName(o.project),
      cli: APP_CLI,
    });
    files.push(
      writeCompose(out, model, [
        `apprun export compose of ${o.project.config.project.name}: \`docker compose up --wait\` here, \`docker compose down -v\` removes it all.`,
        `Image ${image} (\`apprun images build\`); secrets in secrets.env (0600); the project in ./project.`,
        `Gateway: http://127.0.0.1:${portBase} (admin token: APPRUN_ADMIN_TOKEN in secrets.env).`,
      ]),
      path.join(out, 'secrets.env'),
    );
    exported = local; // the image carries the binaries this machine runs
    run = `cd ${out} && docker compose up --wait`;
  } else {
    const { writeChart } = await import('./helm-export.js');
    const image = appImageTagOf(specs);
    const chart = writeChart({ out, project: o.project, specs, image, local, withDevUsers: o.withDevUsers });
    files.push(...chart.files);
    exported = chart.versions;
    run =
      `docker tag ${image} REGISTRY/apprun:${image.split(':')[1]} && docker push …, set image.repository, then ` +
      `helm install ${exportName(o.project)} ${out} (CloudNativePG's operator installed first; Kubernetes 1.29+)`;
  }
  step('written', 1);
  const drift = driftRows(local, exported);
  return {
    out,
    files,
    report: [
      `exported ${target} to ${out}`,
      `  ${checked}`,
      ...files.map((f) => `  ${path.relative(out, f)}`),
      '',
      'versions:',
      describeDrift(drift),
      '',
      `next: ${run}`,
    ].join('\n'),
  };
}

/** The app image's tag for these specs (its binaries must be there). */
function appImageTagOf(specs: ServiceSpec[]): string {
  try {
    return appImageTag(specs.map(recipeOf));
  } catch (err) {
    throw new ExportError(`a service's binary is missing (${(err as Error).message}): run \`npm run stack:binaries\``);
  }
}

/** The app image of these specs, which the engine must hold. */
const requireAppImage = (specs: ServiceSpec[]) => requireImage(appImageTagOf(specs));

/** An image the engine must hold: a missing one says which and how to build it. */
export async function requireImage(tag: string): Promise<string> {
  const { connectEngine } = await import('../../stack/docker/engine.js');
  const engine = await connectEngine();
  if (!engine.docker) throw new ExportError(`cannot check the image ${tag}: ${engine.reason}`);
  const held = await engine.docker
    .getImage(tag)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (!held)
    throw new ExportError(
      `the image ${tag} is missing (the apprun image every container of the export runs, for this build and these ` +
        'binaries): build it with `apprun images build`',
    );
  return tag;
}
