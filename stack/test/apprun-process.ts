import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CoreState } from '../../server/core.js';
import { packageRoot } from '../package-root.js';

export interface RunningApprun {
  child: ChildProcess;
  state: CoreState;
  /** Milliseconds from spawn to "all healthy and the gateway listening". */
  startMs: number;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs the real `apprun up` in its own process (so tests and load generators never share its event loop) and resolves
 * once it reports ready; rejects with its output if it exits or takes more than 90 s. Used by the lifecycle tests,
 * the benchmarks and the browser tests.
 */
export function startApprun(home: string, portBase: number): Promise<RunningApprun> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(packageRoot(), 'bin', 'apprun.mjs'), 'up', '--home', home, '--port-base', String(portBase)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let startMs = 0;
  let ready = false;
  child.stderr!.on('data', (c: Buffer) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`apprun up did not come up in 90 s:\n${out}`)), 90_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`apprun up exited (${code}):\n${out}`));
    };
    child.once('exit', onExit);
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      if (!startMs && out.includes('core       ready')) startMs = performance.now() - t0;
      if (ready || !out.includes('Ctrl-C stops everything')) return;
      ready = true; // later output (e.g. "stopping services…") only goes into out
      clearTimeout(timer);
      child.off('exit', onExit);
      fs.readFile(path.join(home, 'run', 'core.json'), 'utf8').then((text) =>
        resolve({
          child,
          state: JSON.parse(text) as CoreState,
          startMs,
          output: () => out,
          stop: async () => {
            if (child.exitCode !== null || child.signalCode !== null) return;
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await exited;
          },
        }),
        reject,
      );
    });
  });
}
