import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { entryPoint } from '../entry-points.js';
import type { ClosedLoopSpec, LoadResult } from './closed-loop.js';
import type { StreamResult, StreamSpec, StreamTick } from './open-loop.js';

export type { StreamResult, StreamSpec, StreamTick };

/**
 * Runs load streams, each from a process of its own (load-process.ts), and resolves with their results in order;
 * `onTick` sees each second of each stream as it happens. A process apiece, so a flood that saturates its generator
 * does not delay the quiet stream measured beside it.
 */
export function runLoad(specs: StreamSpec[], onTick?: (tick: StreamTick) => void): Promise<StreamResult[]> {
  return Promise.all(
    specs.map((spec) => runInProcess<StreamResult[]>([spec], spec.seconds, onTick).then(([result]) => result!)),
  );
}

/** A closed loop (autocannon: N connections, each sending again as soon as answered), from a process of its own. */
export function runClosedLoop(url: string, opts: Omit<ClosedLoopSpec, 'url'>): Promise<LoadResult> {
  return runInProcess<LoadResult>({ url, ...opts }, opts.seconds);
}

/** Runs a job in one separate process; rejects if it fails or outlives its load by a wide margin. */
function runInProcess<T>(
  job: StreamSpec[] | ClosedLoopSpec,
  seconds: number,
  onTick?: (tick: StreamTick) => void,
): Promise<T> {
  const entry = entryPoint('load-process', new URL('./load-process.ts', import.meta.url));
  const longest = seconds * 1000 + 10_000;
  const child = spawn(process.execPath, [fileURLToPath(entry), JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  return new Promise((resolve, reject) => {
    let results: T | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), longest + 30_000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { kind: string; data: unknown };
      if (msg.kind === 'tick') onTick?.(msg.data as StreamTick);
      else if (msg.kind === 'result') results = msg.data as T;
      else failure = String(msg.data);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (results) resolve(results);
      else
        reject(
          new Error(
            `the load generator ${failure ? `failed: ${failure}` : `exited (${signal ?? code})`}${stderr ? `\n${stderr.slice(-500)}` : ''}`,
          ),
        );
    });
  });
}
