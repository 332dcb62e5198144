// The apprun image: what each container of an exported Compose file runs (`apprun service NAME`, `apprun gateway
// --standalone`), so a container runs the same spec, preparation and migrations as `apprun up`. Built here FROM scratch
// like the services' images (no registry): Node, the built apprun package with its production dependencies, every
// service's binary, the database cluster template and the few host tools the preparation calls.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import { resolveCacheDir } from '../home.js';
import { packageRoot } from '../package-root.js';
import type { ProgressFn, ServiceSpec } from '../spec.js';
import { buildImage, IMAGE_REPOSITORY, type ImageRecipe, imageFiles, sharedLibraries } from './image-builder.js';

/** Where the package sits in the image: its own path here would tie the image to this checkout. */
export const APP_ROOT = '/opt/apprun';
/** The CLI inside the image, by absolute path (the image has no shell to find it on a PATH). */
export const APP_CLI = `${APP_ROOT}/bin/apprun.mjs`;
/** The home inside each container (a named volume). */
export const CONTAINER_HOME = '/var/lib/apprun';

/** What the package needs at run time besides node_modules (sources, tests and benches stay out). */
const PACKAGE_PARTS = ['package.json', 'bin', 'dist', 'out/renderer', 'wasm/sdk', 'wasm/build', 'stack/sql'];
const PACKAGE_EXTRA = ['stack/kratos', 'server/project/scaffold'];
/** Host tools the preparation runs (a cluster copy, the service user's ids and ownership). */
const HOST_TOOLS = ['/usr/bin/cp', '/usr/bin/id', '/usr/bin/chown', '/usr/bin/env'];

const skipped = (file: string) =>
  file.endsWith('.map') ||
  file.includes('/@temporalio/core-bridge/sdk-core/') ||
  // The bridge ships a build per platform; only this machine's can load.
  (file.includes('/@temporalio/core-bridge/releases/') && !file.includes(`/${bridgePlatform()}/`));

const bridgePlatform = () =>
  `${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-${process.platform === 'linux' ? 'unknown-linux-gnu' : process.platform}`;

/** The production dependencies' folders, as npm resolves them (the dev tools stay out: ~960 → ~600 MB). */
function productionModules(root: string): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return [...new Set(out.split('\n').filter((line) => line.startsWith(path.join(root, 'node_modules'))))];
}

const isFileLink = (entry: fs.Dirent, file: string) =>
  entry.isSymbolicLink() && !!fs.statSync(file, { throwIfNoEntry: false })?.isFile();

function walk(dir: string, into: Map<string, string>, target: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    const to = path.join(target, entry.name);
    // A package's own node_modules is listed by npm when it is a production dependency.
    if (entry.isDirectory() && entry.name === 'node_modules') continue;
    if (entry.isDirectory()) walk(from, into, to);
    else if ((entry.isFile() || isFileLink(entry, from)) && !skipped(from)) into.set(to, from);
  }
}

/** Image path → host path of every file of the package part of the image. */
export function packageFiles(root = packageRoot()): Map<string, string> {
  const files = new Map<string, string>();
  for (const part of [...PACKAGE_PARTS, ...PACKAGE_EXTRA]) {
    const from = path.join(root, part);
    if (!fs.existsSync(from)) {
      if (PACKAGE_PARTS.includes(part)) throw new Error(`${from} is missing: run \`npm run build\` first`);
      continue;
    }
    if (fs.statSync(from).isDirectory()) walk(from, files, path.join(APP_ROOT, part));
    else files.set(path.join(APP_ROOT, part), from);
  }
  for (const dir of productionModules(root)) walk(dir, files, path.join(APP_ROOT, path.relative(root, dir)));
  return files;
}

/** Host files kept at their own paths: Node, the services' binaries and trees, the cluster template, the host tools. */
export function hostFiles(recipes: ImageRecipe[], addons: string[] = []): string[] {
  const files = new Set<string>([process.execPath, ...HOST_TOOLS.filter((f) => fs.existsSync(f))]);
  // The recipes' files come with their libraries; Node's, the tools' and the native addons' (in the package part)
  // are added here.
  for (const file of [...files, ...addons]) for (const lib of sharedLibraries(file)) files.add(lib);
  for (const recipe of recipes) for (const file of imageFiles(recipe)) files.add(file);
  const templates = path.join(resolveCacheDir(), 'cluster-templates');
  if (fs.existsSync(templates))
    for (const entry of fs.readdirSync(templates, { recursive: true, withFileTypes: true }))
      if (entry.isFile() || entry.isDirectory()) files.add(path.join(entry.parentPath, entry.name));
  return [...files];
}

/**
 * The app image's tag: it changes with the built package's content (a rebuild of the same sources keeps it), the
 * dependencies, Node and any service binary.
 */
export function appImageTag(recipes: ImageRecipe[], root = packageRoot()): string {
  const hash = createHash('sha256');
  const dist = path.join(root, 'dist');
  const built = fs.existsSync(dist)
    ? fs
        .readdirSync(dist)
        .filter((f) => f.endsWith('.js'))
        .sort()
    : [];
  for (const file of [...built.map((f) => path.join(dist, f)), path.join(root, 'package-lock.json')])
    hash.update(file).update(fs.readFileSync(file));
  for (const file of [process.execPath, ...recipes.map((r) => r.executable)]) {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    hash.update(`${file}\0${st?.size ?? '-'}\0${st?.mtimeMs ?? '-'}\0`);
  }
  return `${IMAGE_REPOSITORY}/apprun:${hash.digest('hex').slice(0, 12)}`;
}

/** Builds (or finds) the app image for these services' specs. */
export async function buildAppImage(
  docker: Docker,
  specs: ServiceSpec[],
  recipeOf: (spec: ServiceSpec) => ImageRecipe,
  progress: ProgressFn,
): Promise<string> {
  const recipes = specs.map(recipeOf);
  const tag = appImageTag(recipes);
  return buildImage(
    docker,
    {
      tag,
      label: 'apprun',
      files: () => {
        const pkg = packageFiles();
        const addons = [...pkg.values()].filter((f) => f.endsWith('.node'));
        return [...hostFiles(recipes, addons).map((f): [string, string] => [f, f]), ...pkg];
      },
      env: { PATH: `${APP_ROOT}/bin:/usr/bin:/bin`, LANG: 'C.UTF-8', APPRUN_HOME: CONTAINER_HOME },
    },
    progress,
  );
}
