import path from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { writeDurations } from '../server/test/durations';
import { type ReportedTest, strictMode, strictReport, strictViolations } from '../server/test/strict/strict-mode';

/**
 * Records how long each spec file took (for scripts/slowest-tests.mjs) and, under APPRUN_STRICT=1, fails the run when
 * a test did not run, but for the Electron tests skipped for want of Electron's binary.
 */
export default class RunReporter implements Reporter {
  private readonly files = new Map<string, { ms: number; state: string }>();
  private readonly tests: ReportedTest[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = path.relative(path.resolve(import.meta.dirname, '..'), test.location.file);
    const entry = this.files.get(file) ?? { ms: 0, state: 'passed' };
    entry.ms += result.duration;
    if (result.status === 'failed' || result.status === 'timedOut') entry.state = 'failed';
    this.files.set(file, entry);
    const state = result.status === 'timedOut' || result.status === 'interrupted' ? 'failed' : result.status;
    const reason = test.annotations.find((a) => a.type === 'skip' || a.type === 'fixme')?.description;
    this.tests.push({ name: `${file} > ${test.title}`, state, reason });
  }

  async onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined> {
    writeDurations(
      'e2e',
      [...this.files].map(([file, { ms, state }]) => ({ file, ms: Math.round(ms), state })),
    );
    const violations = strictMode() ? strictViolations(this.tests) : [];
    if (!violations.length) return undefined;
    process.stdout.write(strictReport(violations));
    return { status: result.status === 'passed' ? 'failed' : result.status };
  }
}
