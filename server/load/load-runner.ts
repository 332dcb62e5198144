import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { entryPoint } from '../entry-points.js';
import type { StreamResult, StreamSpec, StreamTick } from './open-loop.js';

export type { StreamResult, StreamSpec, StreamTick };

/**
 * Runs load streams, each from a process of its own (load-process.ts), and resolves with their results in order;
 * `onTick` sees each second of each stream as it happens. A process apiece, so a flood that saturates its generator
 * does not delay the quiet stream measured beside it.
 */
export function runLoad(specs: StreamSpec[], onTick?: (tick: StreamTick) => void): Promise<StreamResult[]> {
  return Promise.all(specs.map((spec) => runInProcess([spec], onTick).then(([result]) => result!)));
}

/** Runs streams in one separate process; rejects if it fails or outlives its streams by a wide margin. */
function runInProcess(specs: StreamSpec[], onTick?: (tick: StreamTick) => void): Promise<StreamResult[]> {
  const entry = entryPoint('load-process', new URL('./load-process.ts', import.meta.url));
  const longest = Math.max(...specs.map((s) => s.seconds * 1000 + (s.timeoutMs ?? 10_000)));
  const child = spawn(process.execPath, [fileURLToPath(entry), JSON.stringify(specs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  return new Promise((resolve, reject) => {
    let results: StreamResult[] | undefined;
    let failure: string | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), longest + 30_000);
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { kind: string; data: unknown };
      if (msg.kind === 'tick') onTick?.(msg.data as StreamTick);
      else if (msg.kind === 'result') results = msg.data as StreamResult[];
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
