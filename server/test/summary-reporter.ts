import type { Reporter, TestModule } from 'vitest/node';
import { writeDurations } from './durations.js';
import { type ReportedTest, strictMode, strictReport, strictViolations } from './strict/strict-mode.js';

/**
 * Ends the run with the plain line CI reads, "N passed, N failed, N skipped", records each file's duration, and
 * under APPRUN_STRICT=1 fails the run when any test was skipped or left todo.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const tests: ReportedTest[] = [];
    let failedModules = 0;
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const result = test.result();
        tests.push({
          name: `${mod.relativeModuleId} > ${test.fullName}`,
          state: result.state,
          reason: result.state === 'skipped' ? result.note : undefined,
        });
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failedModules++;
    }
    writeDurations(
      'vitest',
      modules.map((mod) => ({
        file: mod.relativeModuleId,
        ms: Math.round(mod.diagnostic().duration),
        state: mod.state(),
      })),
    );
    const count = (state: string) => tests.filter((t) => t.state === state).length;
    const skipped = tests.length - count('passed') - count('failed');
    process.stdout.write(
      `\ntests: ${count('passed')} passed, ${count('failed') + failedModules} failed, ${skipped} skipped\n`,
    );
    const violations = strictMode() ? strictViolations(tests) : [];
    if (violations.length) {
      process.stdout.write(strictReport(violations));
      process.exitCode = 1;
    }
  }
}
