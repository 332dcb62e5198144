import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppHome } from '../../stack/home.js';
import { readJsonIfExists, writePrivateFile } from '../../stack/home.js';

/** One of the core's starts, for the start suite. */
export interface StartRecord {
  cold: boolean;
  ms: number;
  at: number;
}

const startsFile = (home: AppHome) => path.join(home.root, 'kpi', 'starts.json');

/** Appends one of the core's starts (kept: the last 50). */
export async function recordStart(home: AppHome, start: StartRecord): Promise<void> {
  const starts = await readStarts(home);
  await fs.mkdir(path.dirname(startsFile(home)), { recursive: true });
  await writePrivateFile(startsFile(home), JSON.stringify([...starts, start].slice(-50)));
}

/** The recorded starts, oldest first; none for an unreadable file. */
export async function readStarts(home: AppHome): Promise<StartRecord[]> {
  const starts = await readJsonIfExists<StartRecord[]>(startsFile(home)).catch(() => undefined);
  return Array.isArray(starts) ? starts : [];
}
