import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../stack/package-root.js';

/** Where each suite records how long its test files took; scripts/slowest-tests.mjs prints the slowest of all. */
export const DURATIONS_DIR = path.join(packageRoot(), 'test-results', 'durations');

export interface FileDuration {
  file: string;
  ms: number;
  state: string;
}

export function writeDurations(suite: string, files: FileDuration[]): void {
  if (process.env.APPRUN_NO_DURATIONS === '1') return; // a fixture run inside the suite (strict-mode.test.ts)
  fs.mkdirSync(DURATIONS_DIR, { recursive: true });
  fs.writeFileSync(
    path.join(DURATIONS_DIR, `${suite}.json`),
    JSON.stringify({ suite, at: new Date().toISOString(), files }, null, 2),
  );
}
