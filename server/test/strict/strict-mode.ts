// APPRUN_STRICT=1 (CI): a test that does not run is a failure, not a pass. The one exception is the Electron tests
// on a machine without Electron's binary, recognised by their exact skip reason.

/** The skip reason of the Electron tests where no Electron binary exists; the only skip strict mode accepts. */
export const ELECTRON_SKIP_REASON =
  'Electron binary not installed here (its download is unavailable); these tests run where it exists';

export interface ReportedTest {
  name: string;
  /** passed / failed, or anything that did not run: skipped, todo, pending. */
  state: string;
  /** Why it did not run, as the test said. */
  reason?: string;
}

export const strictMode = (env: NodeJS.ProcessEnv = process.env): boolean => env.APPRUN_STRICT === '1';

/** The tests strict mode refuses: every one that did not run, but an Electron test skipped for its known reason. */
export function strictViolations(tests: readonly ReportedTest[]): string[] {
  return tests
    .filter((t) => t.state !== 'passed' && t.state !== 'failed')
    .filter((t) => t.reason !== ELECTRON_SKIP_REASON)
    .map((t) => `${t.state}: ${t.name}${t.reason ? ` (${t.reason})` : ''}`);
}

export function strictReport(violations: string[]): string {
  return (
    `\nAPPRUN_STRICT=1: ${violations.length} test(s) did not run, which strict mode counts as ` +
    `failures:\n${violations.map((v) => `  ${v}`).join('\n')}\n`
  );
}
