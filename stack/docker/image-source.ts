import fs from 'node:fs';
import type Docker from 'dockerode';
import type { ServiceName } from '../service-identity.js';
import type { ProgressFn, ServiceSpec } from '../spec.js';
import { buildServiceImage, IMAGE_LABEL, IMAGE_REPOSITORY, type ImageRecipe } from './image-builder.js';

/** The image a container of a service runs, and the executable inside it. */
export interface ResolvedImage {
  image: string;
  executable: string;
  /** present: already on the engine; pulled: from its registry; built: from the native binary, here. */
  source: 'present' | 'pulled' | 'built';
}

export class ImageNameError extends Error {}
export class ImageUnavailableError extends Error {}

// The grammar of an image reference, as the engine reads it: [domain[:port]/]path[:tag][@digest].
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
);

/** Why an image name is not one the engine would accept, or undefined when it is. */
export function imageNameProblem(name: string): string | undefined {
  if (name.length > 255) return 'longer than 255 characters';
  if (!REFERENCE.test(name))
    return 'not an image reference ([registry/]name[:tag][@digest], lower-case name, e.g. postgres:15.18-bookworm)';
  return undefined;
}

/** Throws ImageNameError naming the service and the setting when any override is not a valid image name. */
export function checkImageOverrides(overrides: Partial<Record<ServiceName, string>>): void {
  for (const [service, image] of Object.entries(overrides)) {
    if (image === undefined || image === '') continue;
    const problem = imageNameProblem(image);
    if (problem) throw new ImageNameError(`the image set for ${service} ("${image}") is ${problem}`);
  }
}

/** The local build of a spec: its executable, and the install tree it ships with (bin/ beside lib/). */
export type RecipeOf = (spec: ServiceSpec) => ImageRecipe;

/**
 * Where each container's image comes from: the Settings override, else the service's official image at its pinned
 * tag. An image the engine holds is used as is; otherwise it is pulled, and when the pull fails (no registry here) the
 * image is built locally from the native binary. Images built here run the spec's command at the host's paths;
 * official images run the same arguments with their own executable.
 */
export class ImageSource {
  constructor(
    private readonly docker: Docker,
    private readonly recipeOf: RecipeOf,
    private readonly overrides: Partial<Record<ServiceName, string>> = {},
    private readonly progress: ProgressFn = () => undefined,
  ) {
    checkImageOverrides(overrides);
  }

  /** The image asked for: the override, else the official image. */
  wanted(spec: ServiceSpec): string | undefined {
    return this.overrides[spec.name] || spec.image?.image;
  }

  async resolve(spec: ServiceSpec): Promise<ResolvedImage> {
    const wanted = this.wanted(spec);
    if (!wanted || wanted.startsWith(`${IMAGE_REPOSITORY}/`)) return this.build(spec);
    const present = await this.inspect(wanted);
    if (present) return { image: wanted, executable: this.executable(spec, present), source: 'present' };
    let pullProblem: string;
    try {
      await this.pull(spec.name, wanted);
      const pulled = await this.inspect(wanted);
      if (pulled) return { image: wanted, executable: this.executable(spec, pulled), source: 'pulled' };
      pullProblem = 'the engine reported success but does not hold it';
    } catch (err) {
      pullProblem = (err as Error).message;
    }
    this.progress({ service: spec.name, step: `cannot pull ${wanted} (${pullProblem}); building a local image` });
    try {
      return await this.build(spec);
    } catch (err) {
      throw new ImageUnavailableError(
        `${spec.name}: image ${wanted} is not available: the pull failed (${pullProblem}) and no local image could ` +
          `be built (${(err as Error).message}). Fix: \`apprun images build\` (it needs the native binaries: ` +
          '`npm run stack:binaries`), or set an image the engine holds in Settings → Image overrides.',
      );
    }
  }

  /** Builds (or finds) the local image from the binary the native driver provisions. */
  async build(spec: ServiceSpec): Promise<ResolvedImage> {
    if (!fs.existsSync(spec.command.path)) throw new Error(`the binary ${spec.command.path} is missing`);
    const image = await buildServiceImage(this.docker, this.recipeOf(spec), this.progress);
    return { image, executable: spec.command.path, source: 'built' };
  }

  private inspect(image: string): Promise<Docker.ImageInspectInfo | undefined> {
    return this.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
  }

  /** Images built here keep the host's paths; anything else is taken to be laid out like the official image. */
  private executable(spec: ServiceSpec, info: Docker.ImageInspectInfo): string {
    return info.Config?.Labels?.[IMAGE_LABEL] || !spec.image ? spec.command.path : spec.image.executable;
  }

  private async pull(service: ServiceName, image: string): Promise<void> {
    this.progress({ service, step: `pulling ${image}`, fraction: 0 });
    const stream = (await this.docker.pull(image)) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) => {
      const layers = new Map<string, { current: number; total: number }>();
      this.docker.modem.followProgress(
        stream,
        (err, output: { error?: string }[]) => {
          const failed = err?.message ?? output?.find((o) => o.error)?.error;
          if (failed) reject(new Error(failed));
          else resolve();
        },
        (event: { id?: string; status?: string; progressDetail?: { current?: number; total?: number } }) => {
          const { current, total } = event.progressDetail ?? {};
          if (event.id && total) layers.set(event.id, { current: current ?? 0, total });
          const sum = [...layers.values()].reduce((a, l) => ({ c: a.c + l.current, t: a.t + l.total }), { c: 0, t: 0 });
          this.progress({
            service,
            step: `pulling ${image}: ${event.status ?? ''}`.trim(),
            fraction: sum.t ? Math.min(1, sum.c / sum.t) : undefined,
          });
        },
      );
    });
  }
}
