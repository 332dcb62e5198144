import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_PORT_BASES } from '../../server/test/port-bases.js';
import { Core } from '../core.js';
import { DURATIONS_DIR } from './durations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { home: string; gatewayUrl: string; postgrestUrl: string; adminToken: string; postgresPort: number };
  }
}

let core: Core | undefined;
let home: string | undefined;

/** One real stack (Postgres + PostgREST + gateway) for the whole run, in a fresh home. */
export async function setup(project: TestProject): Promise<void> {
  await fs.rm(DURATIONS_DIR, { recursive: true, force: true }); // this run's figures only
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-test-'));
  await fs.chmod(home, 0o755);
  // No idle sleep in the shared stack (its suites assume every service up; idle-sleep.test.ts starts its own), nor
  // in the appliances the suites start with this environment.
  process.env.APPRUN_IDLE_SLEEP_S = '0';
  core = new Core({ home, portBase: TEST_PORT_BASES.shared });
  await core.start();
  project.provide('stack', {
    home,
    gatewayUrl: core.gatewayUrl,
    postgrestUrl: `http://127.0.0.1:${core.ports.postgrest}`,
    adminToken: core.adminToken,
    postgresPort: core.ports.postgres,
  });
}

export async function teardown(): Promise<void> {
  await core?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
}
