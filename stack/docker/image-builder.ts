import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { ServiceName } from '../service-identity.js';
import type { ProgressFn } from '../spec.js';

/** What goes into a service's local image: its executable, the folder tree it ships with, and nothing else. */
export interface ImageRecipe {
  service: ServiceName;
  /** The executable the container runs, at the same absolute path as on the host. */
  executable: string;
  /** A folder copied whole beside it (Postgres' bin/lib/share tree); default: only the executable. */
  tree?: string;
}

export const IMAGE_REPOSITORY = 'apprun-local';
export const IMAGE_LABEL = 'apprun.image';

/** The shared libraries an ELF file loads, as the host resolves them (none for a static binary). */
export function sharedLibraries(file: string): string[] {
  let out: string;
  try {
    out = execFileSync('ldd', [file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return []; // "not a dynamic executable" exits non-zero
  }
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const match = /=>\s+(\/\S+)|^\s*(\/\S+)\s+\(/.exec(line);
    const lib = match?.[1] ?? match?.[2];
    if (lib) libs.add(lib);
  }
  return [...libs];
}

const isElf = (file: string) => {
  try {
    const fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    fs.closeSync(fd);
    return head.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  }
};

/** Every file the image holds, by absolute path: the executable or its tree, the libraries they load, a passwd. */
export function imageFiles(recipe: ImageRecipe): string[] {
  const files = new Set<string>([recipe.executable]);
  if (recipe.tree) {
    for (const entry of fs.readdirSync(recipe.tree, { recursive: true, withFileTypes: true }))
      if (entry.isFile() || entry.isSymbolicLink()) files.add(path.join(entry.parentPath, entry.name));
  }
  for (const file of [...files].filter(isElf)) for (const lib of sharedLibraries(file)) files.add(lib);
  return [...files];
}

/** The tag of a recipe's image: it changes whenever the executable does (its path, size and mtime). */
export function imageTag(recipe: ImageRecipe): string {
  const st = fs.statSync(recipe.executable);
  const hash = createHash('sha256').update(`${recipe.executable}\0${recipe.tree ?? ''}\0${st.size}\0${st.mtimeMs}`);
  return `${IMAGE_REPOSITORY}/${recipe.service}:${hash.digest('hex').slice(0, 12)}`;
}

/**
 * Builds (or finds) a service's image from the binary the native driver already provisioned: FROM scratch, with the
 * files at the same absolute paths as on the host (so the spec's command runs unchanged), the shared libraries they
 * need, and /etc/passwd and /etc/group so a non-root user can be named. No registry is involved.
 */
export const buildServiceImage = (docker: Docker, recipe: ImageRecipe, progress: ProgressFn): Promise<string> =>
  buildImage(
    docker,
    { tag: imageTag(recipe), label: recipe.service, files: () => imageFiles(recipe).map((f) => [f, f]) },
    progress,
  );

/** An image FROM scratch of host files (at the image paths given), /etc/passwd, /etc/group and /tmp, unless held. */
export async function buildImage(
  docker: Docker,
  image: {
    tag: string;
    label: string;
    /** [path in the image, path on the host] */
    files: () => [string, string][];
    env?: Record<string, string>;
  },
  progress: ProgressFn,
): Promise<string> {
  const { tag, label } = image;
  const existing = await docker
    .getImage(tag)
    .inspect()
    .catch(() => undefined);
  if (existing) return tag;
  const context = fs.mkdtempSync(path.join(os.tmpdir(), `apprun-image-${label}-`));
  const service = label as ServiceName; // progress is keyed by service name; the app image reports as "apprun"
  try {
    const files = image.files();
    progress({ service, step: `building image ${tag} from ${files.length} files`, fraction: 0 });
    let copied = 0;
    // Each folder keeps its host folder's mode (a database cluster's must stay 0700); a folder given as an entry is
    // made even when empty (a cluster's pg_notify, pg_tblspc…).
    const folders = new Map<string, string>();
    for (const [inImage, file] of files) {
      if (++copied % 2000 === 0)
        progress({ service, step: `copying files into the image's context`, fraction: (copied / files.length) * 0.5 });
      const target = path.join(context, 'root', inImage);
      if (fs.statSync(file).isDirectory()) {
        fs.mkdirSync(target, { recursive: true });
        folders.set(target, file);
        continue;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      folders.set(path.dirname(target), path.dirname(file));
      // Links are followed: a library's link may point through /lib → /usr/lib, which the image does not have.
      fs.copyFileSync(fs.realpathSync(file), target);
      fs.chmodSync(target, fs.statSync(file).mode);
    }
    for (const [target, folder] of folders) fs.chmodSync(target, fs.statSync(folder).mode);
    fs.mkdirSync(path.join(context, 'root', 'etc'), { recursive: true });
    fs.mkdirSync(path.join(context, 'root', 'tmp'), { recursive: true, mode: 0o1777 });
    for (const f of ['/etc/passwd', '/etc/group']) fs.copyFileSync(f, path.join(context, 'root', f));
    const env = Object.entries(image.env ?? {}).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}\n`);
    fs.writeFileSync(path.join(context, 'Dockerfile'), `FROM scratch\nCOPY root/ /\n${env.join('')}`);
    const stream = await docker.buildImage(
      { context, src: ['Dockerfile', 'root'] },
      {
        t: tag,
        labels: { [IMAGE_LABEL]: label },
        rm: true,
        forcerm: true,
      },
    );
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(
        stream as NodeJS.ReadableStream,
        (err, output: { error?: string }[]) => {
          const failed = err?.message ?? output.find((o) => o.error)?.error;
          if (failed) reject(new Error(`building ${tag} failed: ${failed}`));
          else resolve();
        },
        (event: { stream?: string }) => {
          const line = event.stream?.trim();
          if (line) progress({ service, step: line });
        },
      ),
    );
    progress({ service, step: `built image ${tag}`, fraction: 1 });
    return tag;
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
}
