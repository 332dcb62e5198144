import path from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { writeDurations } from '../server/test/durations';

/** Records how long each Playwright spec file took, for scripts/slowest-tests.mjs. */
export default class DurationsReporter implements Reporter {
  private readonly files = new Map<string, { ms: number; state: string }>();

  onTestEnd(test: TestCase, result: TestResult): void {
    const file = path.relative(path.resolve(import.meta.dirname, '..'), test.location.file);
    const entry = this.files.get(file) ?? { ms: 0, state: 'passed' };
    entry.ms += result.duration;
    if (result.status === 'failed' || result.status === 'timedOut') entry.state = 'failed';
    this.files.set(file, entry);
  }

  onEnd(_result: FullResult): void {
    writeDurations('e2e', [...this.files].map(([file, { ms, state }]) => ({ file, ms: Math.round(ms), state })));
  }
}
