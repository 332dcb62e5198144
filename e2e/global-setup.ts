import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_PORT_BASES } from '../server/test/port-bases';
import { SCREENSHOTS, STATE_FILE, startE2eStack } from './stack';

/** One real appliance for the web-mode tests, in a fresh home on its own ports. */
export default async function globalSetup(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-e2e-'));
  fs.chmodSync(home, 0o755);
  const running = await startE2eStack(home, TEST_PORT_BASES.e2e);
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(running));
}
