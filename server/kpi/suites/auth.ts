import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { entryPoint } from '../../entry-points.js';
import type { AuthMeasurement } from '../measure-auth.js';
import type { Suite } from './suite.js';

const TIME_MS = { quick: 1000, full: 4000 } as const;

/** The authorization path's throughput, measured in a process of its own (server/kpi/measure-auth.ts). */
export const authSuite: Suite = {
  name: 'auth',
  deadlineMs: { quick: 60_000, full: 120_000 },
  async run(ctx) {
    const timeMs = TIME_MS[ctx.profile];
    ctx.progress(`4 cases, ${timeMs} ms each, on one core of a separate process`, 0.1);
    const entry = fileURLToPath(
      entryPoint('measure-auth-process', new URL('../measure-auth-process.ts', import.meta.url)),
    );
    const { stdout } = await promisify(execFile)(process.execPath, [entry, JSON.stringify({ timeMs })], {
      signal: ctx.signal,
      timeout: 100_000,
    });
    const m = JSON.parse(stdout) as AuthMeasurement;
    return {
      values: { cachedOpsPerSec: m.cachedOpsPerSec, uncachedOpsPerSec: m.uncachedOpsPerSec, roleLinks: m.roleLinks },
      timeline: m.rows.map((r) => `${r.name}: ${r.opsPerSec.toLocaleString('en')} ops/s, mean ${r.meanUs} µs`),
    };
  },
};
