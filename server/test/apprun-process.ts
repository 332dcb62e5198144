import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { packageRoot } from '../../stack/package-root.js';
import type { CoreState } from '../core-state.js';
import { processesMentioning } from './cli.js';

export interface RunningApprun {
  child: ChildProcess;
  home: string;
  state: CoreState;
  /** Milliseconds from spawn to "all healthy and the gateway listening". */
  startMs: number;
  /** Everything it printed so far. */
  output(): string;
  /** SIGTERM, then SIGKILL if it does not exit in time; resolves once no process of its home is left. */
  stop(): Promise<void>;
}

/** Hang detector for one `apprun up`: a cold start needs ~8 s on a fresh 2-core machine. */
const START_DEADLINE_MS = 90_000;
/** Hang detector for a graceful stop (every service's own stop timeout is at most 10 s). */
const STOP_DEADLINE_MS = 60_000;

/** Every appliance started by this process and not yet stopped, so a failing test cannot leave one behind. */
const started = new Set<{ child: ChildProcess; home: string }>();

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Ends one appliance whatever state it is in (starting, ready, hung): SIGTERM so it stops its services, SIGKILL after
 * STOP_DEADLINE_MS (its services then die of their parent-death signal), then waits until no process mentions its
 * home any more.
 */
async function terminate(run: { child: ChildProcess; home: string }): Promise<void> {
  const { child, home } = run;
  if (!exited(child)) {
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await gone;
    clearTimeout(timer);
  }
  started.delete(run);
  const deadline = Date.now() + 15_000;
  while (processesMentioning(home).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const left = processesMentioning(home);
  if (left.length)
    throw new Error(`processes of ${home} still running after the appliance stopped: ${left.join(', ')}`);
}

/** Stops every appliance this process started and has not stopped yet; for afterEach/afterAll and teardown. */
export async function stopStartedApprun(): Promise<void> {
  const results = await Promise.allSettled([...started].map(terminate));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Runs the real `apprun up` in its own process (so tests and load generators never share its event loop) and resolves
 * once it reports ready; if it exits or does not come up within START_DEADLINE_MS it is stopped and the promise
 * rejects with its output. Used by the lifecycle tests, the benchmarks and the browser tests.
 */
export function startApprun(
  home: string,
  portBase: number,
  extraArgs: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<RunningApprun> {
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      path.join(packageRoot(), 'bin', 'apprun.mjs'),
      'up',
      '--home',
      home,
      '--port-base',
      String(portBase),
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } },
  );
  const run = { child, home };
  started.add(run);
  let out = '';
  let startMs = 0;
  let ready = false;
  child.stderr!.on('data', (c: Buffer) => (out += c));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      terminate(run).then(
        () => reject(new Error(`${why}:\n${out}`)),
        (err: Error) => reject(new Error(`${why}, and stopping it failed (${err.message}):\n${out}`)),
      );
    };
    const timer = setTimeout(
      () => fail(`apprun up did not come up in ${START_DEADLINE_MS / 1000} s`),
      START_DEADLINE_MS,
    );
    const onExit = (code: number | null) => fail(`apprun up exited (${code})`);
    child.once('exit', onExit);
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (!startMs && out.includes('core       ready')) startMs = performance.now() - t0;
      if (ready || !out.includes('Ctrl-C stops everything')) return;
      ready = true; // later output (e.g. "stopping services…") only goes into out
      clearTimeout(timer);
      child.off('exit', onExit);
      fs.readFile(path.join(home, 'run', 'core.json'), 'utf8').then(
        (text) =>
          resolve({
            child,
            home,
            state: JSON.parse(text) as CoreState,
            startMs,
            output: () => out,
            stop: () => terminate(run),
          }),
        (err: Error) => fail(`apprun up is ready but its state file is unreadable (${err.message})`),
      );
    });
  });
}
