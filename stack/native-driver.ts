import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Driver, DriverStatus, ProcessExit, ResourceUsage } from './driver.js';
import type { AppHome } from './home.js';
import { LogSink } from './log-sink.js';
import { reapPidFile, removePidFile, writePidFile } from './pid-files.js';
import { ProcessTreeSampler } from './proc-stats.js';
import type { ServiceName, ServiceSpec } from './spec.js';

interface Managed {
  spec: ServiceSpec;
  child?: ChildProcess;
  startedAt?: number;
  stopping: boolean;
  lastExit?: ProcessExit;
  exited?: Promise<void>;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): ProcessExit {
  let reason: string;
  if (signal === 'SIGKILL') reason = 'killed by SIGKILL (kill -9, or the kernel OOM killer)';
  else if (signal) reason = `killed by ${signal}`;
  else reason = `exit code ${code}`;
  return { code, signal, reason };
}

/** Runs each service as a child process of the core, in its own process group so a terminal's Ctrl-C reaches only the core. */
export class NativeDriver extends EventEmitter implements Driver {
  readonly kind = 'native' as const;
  private readonly services = new Map<ServiceName, Managed>();
  private readonly sinks = new Map<ServiceName, LogSink>();
  private readonly sampler = new ProcessTreeSampler();

  constructor(private readonly home: AppHome) {
    super();
  }

  log(name: ServiceName): LogSink {
    let sink = this.sinks.get(name);
    if (!sink) {
      sink = new LogSink(path.join(this.home.logsDir, `${name}.log`));
      this.sinks.set(name, sink);
    }
    return sink;
  }

  async start(spec: ServiceSpec): Promise<void> {
    const existing = this.services.get(spec.name);
    if (existing?.child && existing.child.exitCode === null && existing.child.signalCode === null) return;
    const reaped = await reapPidFile(this.home.pidFile(spec.name));
    const sink = this.log(spec.name);
    if (reaped) sink.note(`reaped pid ${reaped}, left running by an earlier apprun that did not stop cleanly`);
    if (!fs.existsSync(spec.command.path)) {
      throw new Error(`${spec.name}: binary not found at ${spec.command.path}`);
    }

    const { command } = spec;
    const child = spawn(command.path, command.args, {
      cwd: command.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', ...command.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      uid: command.runAs?.uid,
      gid: command.runAs?.gid,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err) => reject(new Error(`${spec.name}: cannot start ${command.path}: ${err.message}`)));
    });
    const managed: Managed = { spec, child, startedAt: Date.now(), stopping: false };
    this.services.set(spec.name, managed);
    child.stdout!.on('data', (chunk: Buffer) => sink.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => sink.write(chunk));
    managed.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = describeExit(code, signal);
        managed.lastExit = exit;
        sink.note(`process ${child.pid} ended: ${exit.reason}`);
        this.sampler.forget(spec.name);
        void removePidFile(this.home.pidFile(spec.name));
        if (!managed.stopping) this.emit('exit', spec.name, exit);
        resolve();
      });
    });
    await writePidFile(this.home.pidFile(spec.name), child.pid!, command.path);
    sink.note(`started pid ${child.pid}: ${command.path} ${command.args.join(' ')}`);
  }

  async stop(name: ServiceName, timeoutMs: number): Promise<void> {
    const managed = this.services.get(name);
    const child = managed?.child;
    if (!managed || !child || child.exitCode !== null || child.signalCode !== null) return;
    managed.stopping = true;
    child.kill(managed.spec.stopSignal);
    const timer = setTimeout(() => {
      this.log(name).note(`no exit ${timeoutMs} ms after ${managed.spec.stopSignal}: sending SIGKILL`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await managed.exited;
    clearTimeout(timer);
  }

  status(name: ServiceName): DriverStatus {
    const managed = this.services.get(name);
    const child = managed?.child;
    const running = !!child && child.exitCode === null && child.signalCode === null;
    return { running, pid: running ? child.pid : undefined, startedAt: running ? managed.startedAt : undefined, lastExit: managed?.lastExit };
  }

  logs(name: ServiceName, tail: number): string[] {
    return this.log(name).tail(tail);
  }

  /** One /proc scan for every running service. */
  async stats(): Promise<Map<string, ResourceUsage>> {
    const roots = new Map<string, number>();
    for (const name of this.services.keys()) {
      const pid = this.status(name).pid;
      if (pid) roots.set(name, pid);
    }
    return this.sampler.sample(roots);
  }

  closeLogs(): void {
    for (const sink of this.sinks.values()) sink.close();
    this.sinks.clear();
  }
}
