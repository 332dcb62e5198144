import type { EventEmitter } from 'node:events';
import type { ServiceName, ServiceSpec } from './spec.js';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Best guess at why, for people: "exit code 1", "killed by SIGKILL (possibly out of memory)". */
  reason: string;
  /** When the driver saw the exit (ms since epoch). */
  at: number;
}

export interface DriverStatus {
  running: boolean;
  pid?: number;
  startedAt?: number;
  lastExit?: ProcessExit;
}

export interface ResourceUsage {
  /** Resident memory in bytes: a process tree's PSS, so pages its processes share count once; a lone process' RSS. */
  memoryBytes: number;
  /** CPU in percent of one core since the previous sample. */
  cpuPercent: number;
}

/**
 * How services are run: child processes (native) or containers (docker). The supervisor only speaks this interface.
 * Emits 'exit' (name: ServiceName, exit: ProcessExit) when a service ends without being asked to.
 */
export interface Driver extends EventEmitter {
  readonly kind: 'native' | 'docker';
  start(spec: ServiceSpec): Promise<void>;
  /** Its stop signal (or `signal`), then SIGKILL after timeoutMs. */
  stop(name: ServiceName, timeoutMs: number, signal?: NodeJS.Signals): Promise<void>;
  status(name: ServiceName): DriverStatus;
  logs(name: ServiceName, tail: number): string[];
  /** The container of a running service and its image (containers only). */
  container?(name: ServiceName): { id: string; image: string } | undefined;
  /**
   * Holds a running service still (every process of it stopped where it stands) until resume: a snapshot copies the
   * stack's files meanwhile, as one instant. Natively SIGSTOP/SIGCONT of its process tree; in Docker the cgroup freezer.
   */
  pause(name: ServiceName): Promise<void>;
  resume(name: ServiceName): Promise<void>;
  /** Memory and CPU of every running service, keyed by name. CPU is relative to the previous call. */
  stats(): Promise<Map<string, ResourceUsage>>;
}
