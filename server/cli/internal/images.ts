import { appImageTag, buildAppImage } from '../../../stack/docker/app-image.js';
import { recipeOf } from '../../../stack/docker/docker-driver.js';
import { connectEngine } from '../../../stack/docker/engine.js';
import { imageTag } from '../../../stack/docker/image-builder.js';
import { ImageSource } from '../../../stack/docker/image-source.js';
import type { AppHome } from '../../../stack/home.js';
import { portMap } from '../../../stack/ports.js';
import { loadOrCreateSecrets } from '../../../stack/secrets.js';
import type { ProgressFn, ServiceSpec } from '../../../stack/spec.js';
import { stackSpecs } from '../../../stack/stack.js';
import { loadSettings } from '../../settings.js';
import { table } from './format.js';

async function specsOf(home: AppHome, progress: ProgressFn): Promise<ServiceSpec[]> {
  await home.ensure();
  return stackSpecs({ home, ports: portMap(), secrets: await loadOrCreateSecrets(home), jwks: '{}', progress });
}

const localTag = (spec: ServiceSpec) => {
  try {
    return imageTag(recipeOf(spec));
  } catch {
    return undefined; // its binary is missing
  }
};

const appImageOf = (specs: ServiceSpec[]) => {
  try {
    return appImageTag(specs.map(recipeOf));
  } catch {
    return undefined;
  }
};

/**
 * `apprun images`: what the Docker driver runs per service (the Settings override or the official image) and whether
 * the engine holds it and the local build. `apprun images build`: builds the local images from the native binaries,
 * with progress, for machines where no registry answers.
 */
export async function images(home: AppHome, action: string | undefined, progress: ProgressFn): Promise<string> {
  if (action !== undefined && action !== 'build') throw new Error(`images takes no action or "build", not "${action}"`);
  const engine = await connectEngine();
  if (!engine.docker) throw new Error(engine.reason);
  const docker = engine.docker;
  const source = new ImageSource(docker, recipeOf, loadSettings(home).images, progress);
  const specs = await specsOf(home, progress);
  const held = async (image: string | undefined) =>
    image
      ? docker
          .getImage(image)
          .inspect()
          .then(
            () => 'yes',
            () => 'no',
          )
      : '—';
  if (action === 'build') {
    const rows: string[][] = [];
    for (const spec of specs) {
      const t0 = performance.now();
      const built = await source.build(spec);
      rows.push([spec.name, built.image, `${((performance.now() - t0) / 1000).toFixed(1)} s`]);
    }
    const t0 = performance.now();
    const app = await buildAppImage(docker, specs, recipeOf, progress);
    rows.push(['apprun (exports)', app, `${((performance.now() - t0) / 1000).toFixed(1)} s`]);
    return `${table(['service', 'local image', 'took'], rows)}\n`;
  }
  const rows = await Promise.all(
    specs.map(async (spec) => {
      const wanted = source.wanted(spec) ?? '—';
      const local = localTag(spec);
      return [spec.name, wanted, await held(wanted), local ?? 'binary missing', await held(local)];
    }),
  );
  const app = appImageOf(specs);
  rows.push(['apprun (exports)', '—', '—', app ?? 'binary missing', await held(app)]);
  return (
    `${table(['service', 'image', 'on the engine', 'local build', 'built'], rows)}\n` +
    'An image the engine lacks is pulled at `up`; when the pull fails, the local build is used ' +
    '(`apprun images build` makes them ahead of time). The apprun image is what `apprun export compose` runs.\n'
  );
}
