import fs from 'node:fs';
import path from 'node:path';
import { startApprun } from '../server/test/apprun-process';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const STATE_FILE = path.join(ROOT, 'test-results', 'e2e-stack.json');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export interface E2eStack {
  pid: number;
  home: string;
  gatewayUrl: string;
  dashboardUrl: string;
}

export const stack = (): E2eStack => JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));

/** Runs the real `apprun up` (all five services) for the browser tests. */
export async function startE2eStack(home: string, portBase: number): Promise<E2eStack> {
  // No idle sleep: the screens are checked with every service up (the sleep has its own suite, idle-sleep.test.ts).
  const { child, state } = await startApprun(home, portBase, [], { APPRUN_IDLE_SLEEP_S: '0' });
  return {
    pid: child.pid!,
    home,
    gatewayUrl: state.gatewayUrl,
    dashboardUrl: `${state.gatewayUrl}/ui/?token=${state.adminToken}`,
  };
}
