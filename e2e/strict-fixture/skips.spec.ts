import { test } from '@playwright/test';
import { ELECTRON_SKIP_REASON } from '../../server/test/strict/strict-mode';

// Run only by strict-mode.test.ts, in a Playwright run of its own: what strict mode accepts and what it refuses.
test('runs', () => undefined);
test('an Electron test where no binary exists', () => test.skip(true, ELECTRON_SKIP_REASON));
test('a test skipped for another reason', () =>
  test.skip(process.env.STRICT_FIXTURE_SKIP_OTHER === '1', 'the service is not available here'));
