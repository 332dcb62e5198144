import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_PORT_BASES } from '../../server/test/port-bases.js';
import { Core } from '../core.js';
import { BIN } from './cli.js';
import { DURATIONS_DIR } from './durations.js';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: {
      home: string;
      gatewayUrl: string;
      postgrestUrl: string;
      adminToken: string;
      postgresPort: number;
      /** A second gateway on the same services (`apprun gateway --port`), as a replica would be. */
      secondGatewayUrl: string;
    };
  }
}

let core: Core | undefined;
let home: string | undefined;
let second: ChildProcess | undefined;

/** `apprun gateway` on the shared stack, in a process of its own; resolves once it listens. */
function startSecondGateway(root: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'gateway', '--port', String(port), '--home', root], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`apprun gateway did not come up in 60 s:\n${out}`));
    }, 60_000);
    // Read to the end (a full pipe would block it), kept only until it is up.
    let up = false;
    const seen = (chunk: Buffer) => {
      if (up) return;
      out += chunk;
      if (out.includes('second gateway up')) {
        up = true;
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`apprun gateway exited (${code}):\n${out}`));
    });
  });
}

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
  second = await startSecondGateway(home, TEST_PORT_BASES.secondGateway);
  project.provide('stack', {
    home,
    gatewayUrl: core.gatewayUrl,
    postgrestUrl: `http://127.0.0.1:${core.ports.postgrest}`,
    adminToken: core.adminToken,
    postgresPort: core.ports.postgres,
    secondGatewayUrl: `http://127.0.0.1:${TEST_PORT_BASES.secondGateway}`,
  });
}

export async function teardown(): Promise<void> {
  if (second && second.exitCode === null && second.signalCode === null) {
    const gone = new Promise((r) => second!.once('exit', r));
    second.kill('SIGTERM');
    await gone;
  }
  await core?.stop();
  if (home) await fs.rm(home, { recursive: true, force: true });
}
