// Where a second gateway says it runs (the appliance's home), and who asks: the appliance's idle sleeper.
import fs from 'node:fs/promises';
import path from 'node:path';
import { type AppHome, readJsonIfExists } from '../../stack/home.js';
import { isAlive } from '../../stack/pid-files.js';
import type { CoreState } from '../core-state.js';

const STATE_FILE = /^gateway-\d+\.json$/;

/** Whether a second gateway serves on this home's services now (the appliance then lets none of them sleep). */
export async function secondGatewaysRunning(home: AppHome): Promise<boolean> {
  const dir = path.join(home.root, 'run');
  for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
    if (!STATE_FILE.test(name)) continue;
    const state = await readJsonIfExists<CoreState>(path.join(dir, name)).catch(() => undefined);
    if (state && isAlive(state.pid)) return true;
  }
  return false;
}

export const secondGatewayStateFile = (home: AppHome, port: number) =>
  path.join(home.root, 'run', `gateway-${port}.json`);
