import type { Reporter, TestModule } from 'vitest/node';
import { writeDurations } from './durations.js';

/** Ends the run with the plain line CI reads, "N passed, N failed, N skipped", and records each file's duration. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    writeDurations(
      'vitest',
      modules.map((mod) => ({ file: mod.relativeModuleId, ms: Math.round(mod.diagnostic().duration), state: mod.state() })),
    );
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
