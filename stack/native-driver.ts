import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type { Driver, DriverStatus, ProcessExit, ResourceUsage } from './driver.js';
import type { AppHome } from './home.js';
import { type LogSink, LogSinks } from './log-sink.js';
import { reapPidFile, removePidFile, writePidFile } from './pid-files.js';
import { ProcessTreeSampler, readTrees } from './proc-stats.js';
import type { ServiceName, ServiceSpec } from './spec.js';

const SETPRIV = process.platform === 'linux' && fs.existsSync('/usr/bin/setpriv') ? '/usr/bin/setpriv' : undefined;

interface Managed {
  spec: ServiceSpec;
  child?: ChildProcess;
  startedAt?: number;
  stopping: boolean;
  lastExit?: ProcessExit;
  exited?: Promise<void>;
}

/** The cgroup's count of kernel OOM kills, to tell an out-of-memory SIGKILL from a kill -9. */
export function oomKillCount(): number | undefined {
  try {
    const events = fs.readFileSync('/sys/fs/cgroup/memory.events', 'utf8');
    const match = /^oom_kill (\d+)$/m.exec(events);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null, oomKillsDuringRun = 0): ProcessExit {
  let reason: string;
  if (signal === 'SIGKILL' && oomKillsDuringRun > 0) reason = 'killed by the kernel OOM killer (out of memory)';
  else if (signal === 'SIGKILL') reason = 'killed by SIGKILL (kill -9)';
  else if (signal) reason = `killed by ${signal}`;
  else reason = `exit code ${code}`;
  return { code, signal, reason, at: Date.now() };
}

/**
 * Runs each service as a child process of the core, in its own process group so a terminal's Ctrl-C reaches only the
 * core.
 */
export class NativeDriver extends EventEmitter implements Driver {
  readonly kind = 'native' as const;
  private readonly services = new Map<ServiceName, Managed>();
  private readonly sampler = new ProcessTreeSampler();

  private readonly sinks: LogSinks;

  constructor(private readonly home: AppHome) {
    super();
    this.sinks = new LogSinks(home.logsDir);
  }

  log(name: ServiceName): LogSink {
    return this.sinks.of(name);
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
    // setpriv --pdeathsig: the kernel kills the service if the core dies without stopping it (kill -9, crash), so no
    // orphan outlives the core; pid files catch whatever still escapes (reaped on the next start).
    const [file, args] = SETPRIV
      ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', command.path, ...command.args]]
      : [command.path, command.args];
    const child = spawn(file, args, {
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
    // The previous run's exit stays visible (why it was restarted) until this run ends.
    const managed: Managed = { spec, child, startedAt: Date.now(), stopping: false, lastExit: existing?.lastExit };
    const oomBefore = oomKillCount();
    this.services.set(spec.name, managed);
    child.stdout!.on('data', (chunk: Buffer) => sink.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => sink.write(chunk));
    managed.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = describeExit(code, signal, (oomKillCount() ?? 0) - (oomBefore ?? 0));
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

  async stop(name: ServiceName, timeoutMs: number, signal?: NodeJS.Signals): Promise<void> {
    const managed = this.services.get(name);
    const child = managed?.child;
    if (!managed || !child || child.exitCode !== null || child.signalCode !== null) return;
    managed.stopping = true;
    const sent = signal ?? managed.spec.stopSignal;
    child.kill(sent);
    const timer = setTimeout(() => {
      this.log(name).note(`no exit ${timeoutMs} ms after ${sent}: sending SIGKILL`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await managed.exited;
    clearTimeout(timer);
  }

  status(name: ServiceName): DriverStatus {
    const managed = this.services.get(name);
    const child = managed?.child;
    const running = !!child && child.exitCode === null && child.signalCode === null;
    return {
      running,
      pid: running ? child.pid : undefined,
      startedAt: running ? managed.startedAt : undefined,
      lastExit: managed?.lastExit,
    };
  }

  logs(name: ServiceName, tail: number): string[] {
    return this.log(name).tail(tail);
  }

  async pause(name: ServiceName): Promise<void> {
    this.signalTree(name, 'SIGSTOP');
  }

  async resume(name: ServiceName): Promise<void> {
    this.signalTree(name, 'SIGCONT');
  }

  private signalTree(name: ServiceName, signal: NodeJS.Signals): void {
    const pid = this.status(name).pid;
    if (!pid) return;
    for (const member of readTrees([pid]).keys()) {
      try {
        process.kill(member, signal);
      } catch {
        // it ended meanwhile
      }
    }
  }

  /** One walk of the running services' process trees. */
  async stats(): Promise<Map<string, ResourceUsage>> {
    const roots = new Map<string, number>();
    for (const name of this.services.keys()) {
      const pid = this.status(name).pid;
      if (pid) roots.set(name, pid);
    }
    return this.sampler.sample(roots);
  }

  closeLogs(): void {
    this.sinks.closeAll();
  }
}
