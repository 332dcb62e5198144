import { type AppHome, readJsonIfExists } from '../stack/home.js';
import { isAlive } from '../stack/pid-files.js';
import type { PortMap } from '../stack/ports.js';

/** What a running core publishes (0600) for `apprun status`/`down` and the desktop shell. */
export interface CoreState {
  pid: number;
  home: string;
  ports: PortMap;
  gatewayUrl: string;
  adminToken: string;
  startedAt: number;
}

/** Reads the state file of a core running for this home, if one is running. */
export async function runningCore(home: AppHome): Promise<CoreState | undefined> {
  const state = await readJsonIfExists<CoreState>(home.coreStateFile);
  return state && isAlive(state.pid) ? state : undefined;
}
