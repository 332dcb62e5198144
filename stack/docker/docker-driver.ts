import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { Driver, DriverStatus, ProcessExit, ResourceUsage } from '../driver.js';
import type { AppHome } from '../home.js';
import { type LogSink, LogSinks } from '../log-sink.js';
import type { ProgressFn, ServiceName, ServiceSpec } from '../spec.js';
import type { ImageRecipe } from './image-builder.js';
import { ImageSource } from './image-source.js';

export const HOME_LABEL = 'apprun.home';
export const SERVICE_LABEL = 'apprun.service';
const MiB = 2 ** 20;

interface Managed {
  spec: ServiceSpec;
  container?: Docker.Container;
  id?: string;
  pid?: number;
  image?: string;
  startedAt?: number;
  running: boolean;
  stopping: boolean;
  lastExit?: ProcessExit;
  exited?: Promise<void>;
  onExit?: () => void;
  cpu?: { total: number; system: number };
}

/** A container's name: one per home and service, so two homes never collide. */
export const containerName = (home: AppHome, service: ServiceName) =>
  `apprun-${createHash('sha256').update(home.root).digest('hex').slice(0, 10)}-${service}`;

const exposed = (spec: ServiceSpec) => Object.fromEntries(Object.values(spec.ports).map((p) => [`${p}/tcp`, {}]));

/** The image recipe of a spec: its executable, and the install tree when it ships one (bin/ beside lib/). */
export function recipeOf(spec: ServiceSpec): ImageRecipe {
  const bin = path.dirname(spec.command.path);
  const root = path.dirname(bin);
  const tree = path.basename(bin) === 'bin' && fs.existsSync(path.join(root, 'lib')) ? root : undefined;
  return { service: spec.name, executable: spec.command.path, tree };
}

/**
 * How containers reach the host: the host network on a Linux engine (everything stays on 127.0.0.1); published ports
 * bound to 127.0.0.1 where the engine runs in a VM (Docker Desktop on macOS and Windows).
 */
export type ContainerNetwork = 'host' | 'published';

export interface DockerDriverOptions {
  /** Image per service from Settings; the official image at its pinned tag otherwise. */
  images?: Partial<Record<ServiceName, string>>;
  network?: ContainerNetwork;
}

/** A container's hard memory limit: page cache included (cgroup v1), so above the service's share. */
const memoryLimitMb = (shareMb: number) => 2 * shareMb;

/**
 * Runs each service in a container of the local Docker engine: the image from Settings or the official one, pulled, or
 * built here from the native binary when it cannot be pulled; the host network; the app home bind-mounted at its own
 * path (data, configs and logs where the native driver keeps them); memory reserved at the service's budget share and
 * limited to twice it, with no swap. Exits come from the engine's event stream, logs from the container's log stream,
 * memory and CPU from its stats.
 */
export class DockerDriver extends EventEmitter implements Driver {
  readonly kind = 'docker' as const;
  private readonly services = new Map<ServiceName, Managed>();
  private events?: NodeJS.ReadableStream;
  private readonly sinks: LogSinks;
  private readonly images: ImageSource;
  readonly network: ContainerNetwork;

  constructor(
    private readonly home: AppHome,
    private readonly docker: Docker,
    progress: ProgressFn = () => undefined,
    options: DockerDriverOptions = {},
  ) {
    super();
    this.sinks = new LogSinks(home.logsDir);
    this.images = new ImageSource(docker, recipeOf, options.images, progress);
    this.network = options.network ?? 'host';
  }

  log(name: ServiceName): LogSink {
    return this.sinks.of(name);
  }

  /** Removes every container of this home (a crashed core's, or all at `down`); returns their names. */
  async reap(): Promise<string[]> {
    const stale = await this.docker.listContainers({
      all: true,
      filters: { label: [`${HOME_LABEL}=${this.home.root}`] },
    });
    await Promise.all(
      stale.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    return stale.map((c) => c.Names[0]?.replace(/^\//, '') ?? c.Id);
  }

  private async watchEvents(): Promise<void> {
    if (this.events) return;
    this.events = (await this.docker.getEvents({
      filters: { type: ['container'], event: ['die'], label: [`${HOME_LABEL}=${this.home.root}`] },
    })) as NodeJS.ReadableStream;
    let buffered = '';
    this.events.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        try {
          const event = JSON.parse(line) as { id: string; Actor: { Attributes: Record<string, string> } };
          const managed = [...this.services.values()].find((m) => m.id === event.id);
          if (managed) void this.died(managed);
        } catch {
          // a partial or foreign line: skip it
        }
      }
    });
  }

  private async died(managed: Managed): Promise<void> {
    if (!managed.running) return;
    managed.running = false;
    const state = await managed.container!.inspect().then(
      (i) => i.State,
      () => undefined,
    );
    const code = state?.ExitCode ?? null;
    const reason = state?.OOMKilled
      ? `killed by the kernel OOM killer (out of memory: over its ${memoryLimitMb(managed.spec.memoryBudgetMb)} MB limit, ` +
        `twice its ${managed.spec.memoryBudgetMb} MB share)`
      : code === 137
        ? 'killed by SIGKILL (docker kill or kill -9)'
        : `exit code ${code}`;
    const exit: ProcessExit = { code, signal: code === 137 ? 'SIGKILL' : null, reason, at: Date.now() };
    managed.lastExit = exit;
    this.log(managed.spec.name).note(`container ${managed.id?.slice(0, 12)} ended: ${reason}`);
    managed.onExit?.();
    if (!managed.stopping) this.emit('exit', managed.spec.name, exit);
  }

  async start(spec: ServiceSpec): Promise<void> {
    const existing = this.services.get(spec.name);
    if (existing?.running) return;
    await this.watchEvents();
    const sink = this.log(spec.name);
    const { image, executable } = await this.images.resolve(spec);
    const name = containerName(this.home, spec.name);
    await this.docker
      .getContainer(name)
      .remove({ force: true })
      .then(
        () => sink.note(`removed a container ${name} left by an earlier apprun`),
        () => undefined,
      );
    const { command } = spec;
    const container = await this.docker.createContainer({
      name,
      Image: image,
      Cmd: [executable, ...command.args],
      Env: Object.entries({ PATH: '/usr/bin:/bin', LANG: 'C.UTF-8', ...command.env }).map(([k, v]) => `${k}=${v}`),
      WorkingDir: command.cwd,
      User: command.runAs ? `${command.runAs.uid}:${command.runAs.gid}` : undefined,
      Labels: { [HOME_LABEL]: this.home.root, [SERVICE_LABEL]: spec.name },
      ExposedPorts: this.network === 'published' ? exposed(spec) : undefined,
      HostConfig: {
        ...(this.network === 'host'
          ? { NetworkMode: 'host' }
          : {
              // Untested here (no Docker Desktop): each port published on the host's loopback only.
              PortBindings: Object.fromEntries(
                Object.values(spec.ports).map((port) => [
                  `${port}/tcp`,
                  [{ HostIp: '127.0.0.1', HostPort: `${port}` }],
                ]),
              ),
              ExtraHosts: ['host.docker.internal:host-gateway'],
            }),
        // The share is the reservation (what the host's reclaim leaves it); the hard limit is twice it, since on cgroup
        // v1 the limit also carries the page cache, its own binary's pages included: Kratos at a 70 MB limit refaulted
        // its binary ~1,100 times in 15 s and stopped answering. No swap.
        MemoryReservation: spec.memoryBudgetMb * MiB,
        Memory: memoryLimitMb(spec.memoryBudgetMb) * MiB,
        MemorySwap: memoryLimitMb(spec.memoryBudgetMb) * MiB,
        Binds: [`${this.home.root}:${this.home.root}`],
        Init: false,
      },
    });
    const managed: Managed = {
      spec,
      container,
      id: container.id,
      image,
      running: false,
      stopping: false,
      lastExit: existing?.lastExit,
    };
    managed.exited = new Promise((resolve) => (managed.onExit = resolve));
    this.services.set(spec.name, managed);
    await container.start();
    const info = await container.inspect();
    Object.assign(managed, { running: info.State.Running, pid: info.State.Pid, startedAt: Date.now() });
    // Logs from the container's own stream, stdout and stderr demultiplexed.
    const stream = (await container.logs({ follow: true, stdout: true, stderr: true })) as NodeJS.ReadableStream;
    const out = new PassThrough();
    out.on('data', (c: Buffer) => sink.write(c));
    this.docker.modem.demuxStream(stream, out, out);
    sink.note(
      `started container ${container.id.slice(0, 12)} (${image}, reservation ${spec.memoryBudgetMb} MB, limit ${memoryLimitMb(spec.memoryBudgetMb)} MB): ${executable} ${command.args.join(' ')}`,
    );
    if (!info.State.Running) await this.died(managed);
  }

  async stop(name: ServiceName, timeoutMs: number, signal?: NodeJS.Signals): Promise<void> {
    const managed = this.services.get(name);
    if (!managed?.container) return;
    managed.stopping = true;
    if (managed.running && signal) {
      await managed.container.kill({ signal }).catch(() => undefined);
      await Promise.race([managed.exited, new Promise((r) => setTimeout(r, timeoutMs))]);
    }
    if (managed.running) {
      await managed.container.stop({ t: Math.ceil(timeoutMs / 1000) }).catch(() => undefined);
      await Promise.race([managed.exited, new Promise((r) => setTimeout(r, 5000))]);
    }
    managed.running = false;
    await managed.container.remove({ force: true }).catch(() => undefined);
  }

  status(name: ServiceName): DriverStatus {
    const managed = this.services.get(name);
    return {
      running: !!managed?.running,
      pid: managed?.running ? managed.pid : undefined,
      startedAt: managed?.running ? managed.startedAt : undefined,
      lastExit: managed?.lastExit,
    };
  }

  /** The container and image of a running service, for the dashboard. */
  container(name: ServiceName): { id: string; image: string } | undefined {
    const m = this.services.get(name);
    return m?.running && m.id && m.image ? { id: m.id.slice(0, 12), image: m.image } : undefined;
  }

  async pause(name: ServiceName): Promise<void> {
    const m = this.services.get(name);
    if (m?.running) await m.container!.pause();
  }

  async resume(name: ServiceName): Promise<void> {
    const m = this.services.get(name);
    if (m?.running) await m.container!.unpause().catch(() => undefined);
  }

  logs(name: ServiceName, tail: number): string[] {
    return this.log(name).tail(tail);
  }

  /** The engine's stats of every running container: memory without the page cache (as `docker stats`), CPU. */
  async stats(): Promise<Map<string, ResourceUsage>> {
    const usage = new Map<string, ResourceUsage>();
    await Promise.all(
      [...this.services.values()]
        .filter((m) => m.running && m.container)
        .map(async (m) => {
          const s = await (m.container!.stats({ stream: false }) as Promise<Docker.ContainerStats>).catch(
            () => undefined,
          );
          // A container stopping or gone answers without its figures: no sample for it this time.
          if (!s?.memory_stats?.usage || !s.cpu_stats?.cpu_usage) return;
          const cache = (s.memory_stats.stats as Record<string, number> | undefined)?.total_inactive_file ?? 0;
          const total = s.cpu_stats.cpu_usage.total_usage;
          const system = s.cpu_stats.system_cpu_usage;
          const cores = s.cpu_stats.online_cpus || 1;
          const prev = m.cpu;
          m.cpu = { total, system };
          const cpuPercent =
            prev && system > prev.system ? ((total - prev.total) / (system - prev.system)) * cores * 100 : 0;
          usage.set(m.spec.name, { memoryBytes: Math.max(0, (s.memory_stats.usage ?? 0) - cache), cpuPercent });
        }),
    );
    return usage;
  }

  closeLogs(): void {
    (this.events as unknown as { destroy?: () => void })?.destroy?.();
    this.events = undefined;
    this.sinks.closeAll();
  }
}
