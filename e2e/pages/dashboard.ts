import fs from 'node:fs';
import path from 'node:path';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { SCREENSHOTS } from '../stack';

/** The dashboard shell: navigation, theme, screenshots. Works on a browser page (web mode) or the Electron window. */
export class Dashboard {
  constructor(readonly page: Page) {}

  async nav(label: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: label, exact: true }).click();
  }

  async setTheme(theme: 'light' | 'dark' | 'system'): Promise<void> {
    await this.page.getByTestId('theme-select').selectOption(theme);
  }

  /** Saves a full-window screenshot under test-results/screenshots and attaches it to the report. */
  async screenshot(name: string, testInfo: TestInfo): Promise<void> {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    const file = path.join(SCREENSHOTS, `${testInfo.project.name}-${name}.png`);
    await this.page.screenshot({ path: file });
    await testInfo.attach(name, { path: file, contentType: 'image/png' });
  }

  async expectHeading(text: string): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText(text);
  }
}
