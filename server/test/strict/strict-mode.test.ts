import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../../stack/package-root.js';
import { ELECTRON_SKIP_REASON, strictMode, strictViolations } from './strict-mode.js';

const exec = promisify(execFile);
const bin = (name: string) => path.join(packageRoot(), 'node_modules', '.bin', name);

/** Runs a fixture suite in a process of its own; its exit code and output. */
async function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await exec(bin(command), args, {
      cwd: packageRoot(),
      env: { ...process.env, APPRUN_NO_DURATIONS: '1', ...env },
      timeout: 120_000,
    });
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: e.stdout ?? '' };
  }
}

describe('APPRUN_STRICT=1 is enforced', () => {
  it('counts every test that did not run, but an Electron test skipped for want of its binary', () => {
    const tests = [
      { name: 'a', state: 'passed' },
      { name: 'b', state: 'failed' },
      { name: 'c', state: 'skipped', reason: 'MinIO is not available' },
      { name: 'd', state: 'todo' },
      { name: 'e', state: 'skipped', reason: ELECTRON_SKIP_REASON },
      { name: 'f', state: 'skipped', reason: `${ELECTRON_SKIP_REASON} (almost)` },
    ];
    expect(strictViolations(tests)).toEqual([
      'skipped: c (MinIO is not available)',
      'todo: d',
      `skipped: f (${ELECTRON_SKIP_REASON} (almost))`,
    ]);
    expect(strictMode({ APPRUN_STRICT: '1' })).toBe(true);
    expect(strictMode({})).toBe(false);
  });

  it('a skipped vitest test fails the run under strict mode, and only then', async () => {
    const config = ['run', '--config', 'server/test/strict/fixture/vitest.config.ts'];
    const lenient = await run('vitest', config, { APPRUN_STRICT: '0' });
    expect(lenient.code).toBe(0);
    const strict = await run('vitest', config, { APPRUN_STRICT: '1' });
    expect(strict.code).not.toBe(0);
    expect(strict.out).toContain('skipped: skips.fixture.ts > is skipped');
  });

  it('a skipped Playwright test fails the run under strict mode; the Electron skip is allowed', async () => {
    const config = ['test', '-c', 'e2e/strict-fixture/playwright.config.ts'];
    expect((await run('playwright', config, { APPRUN_STRICT: '1', STRICT_FIXTURE_SKIP_OTHER: '0' })).code).toBe(0);
    expect((await run('playwright', config, { APPRUN_STRICT: '0', STRICT_FIXTURE_SKIP_OTHER: '1' })).code).toBe(0);
    const strict = await run('playwright', config, { APPRUN_STRICT: '1', STRICT_FIXTURE_SKIP_OTHER: '1' });
    expect(strict.code).not.toBe(0);
    expect(strict.out).toContain('a test skipped for another reason (the service is not available here)');
    expect(strict.out).not.toContain('an Electron test where no binary exists');
  });
});
