import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../server/kpi/run-store';
import { TEST_PORT_BASES } from '../server/test/port-bases';
import { SCREENSHOTS, STATE_FILE, startE2eStack } from './stack';

/** One real appliance for the web-mode tests, in a fresh home on its own ports. */
export default async function globalSetup(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-e2e-'));
  fs.chmodSync(home, 0o755);
  await storeAFailingRun(home);
  const running = await startE2eStack(home, TEST_PORT_BASES.e2e);
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(running));
}

/**
 * One stored run from an hour ago, in the store's own format, whose wasm suite measured a hot-call p99 of 120 µs
 * (target < 50 µs): no KPI fails on purpose in a live run, and the Go/No-Go panel must be seen blocking. The live
 * runs of the tests then judge the KPIs they measure.
 */
async function storeAFailingRun(home: string): Promise<void> {
  const at = Date.now() - 3600_000;
  await new RunStore(path.join(home, 'kpi', 'runs'), () => undefined).save({
    id: 'e2e-stored-wasm-run',
    profile: 'quick',
    suites: ['wasm'],
    state: 'done',
    startedAt: at - 5000,
    endedAt: at,
    progress: { suite: 'wasm', step: 'done', fraction: 1 },
    peakMemoryBytes: 0,
    budgetExceeded: false,
    machine: {
      cpuModel: 'stored e2e machine',
      cores: 2,
      memoryGb: 24,
      os: os.platform(),
      node: process.version,
      driver: 'native',
      services: {},
    },
    results: [
      { suite: 'wasm', state: 'done', startedAt: at - 5000, endedAt: at, values: { hotP99Us: 120, hotP50Us: 8 } },
    ],
    samples: [],
  });
}
