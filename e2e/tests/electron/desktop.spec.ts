import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { ELECTRON_SKIP_REASON } from '../../../server/test/strict/strict-mode';
import { ROOT } from '../../stack';
import {
  deployAndInvokeAFunction,
  everyCardHealthyAndChartMoves,
  registrationWithRetries,
  restartFromTheUi,
  settingsScreen,
  storageRoundTrip,
} from '../dashboard-flows';

function electronBinary(): string | undefined {
  try {
    const bin = createRequire(import.meta.url)('electron') as unknown as string;
    return fs.existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}
const binary = electronBinary();

// The one skip allowed under APPRUN_STRICT: no Electron binary on this machine.
test.skip(!binary, ELECTRON_SKIP_REASON);

test(
  'the desktop app: cards healthy, chart moving, restart from the UI, settings, functions, workflows, ' + 'storage',
  async ({ browserName: _ }, testInfo) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-electron-'));
    fs.chmodSync(home, 0o755);
    const app = await electron.launch({
      executablePath: binary,
      args: [ROOT],
      env: { ...process.env, APPRUN_HOME: home, APPRUN_PORT_BASE: '26600' },
    });
    try {
      const page = await app.firstWindow();
      await page.setViewportSize({ width: 1280, height: 800 });
      // no Node in the renderer
      expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      await everyCardHealthyAndChartMoves(page, testInfo);
      await restartFromTheUi(page, testInfo);
      await settingsScreen(page, testInfo, home);
      await deployAndInvokeAFunction(page, testInfo);
      await registrationWithRetries(page, testInfo);
      await storageRoundTrip(page, testInfo);
    } finally {
      await app.close();
      fs.rmSync(home, { recursive: true, force: true });
    }
  },
);
