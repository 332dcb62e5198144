import { expect, type Page } from '@playwright/test';

export class ServicePage {
  constructor(
    readonly page: Page,
    readonly service: string,
  ) {}

  get root() {
    return this.page.getByTestId(`service-detail-${this.service}`);
  }

  async pid(): Promise<string> {
    return (await this.root.getByTestId('detail-pid').textContent())?.trim() ?? '';
  }

  async expectState(state: string, timeout = 60_000): Promise<void> {
    await expect(this.root.getByRole('heading', { level: 1 }).getByTestId('state')).toHaveText(state, { timeout });
  }

  /** Clicks an action, sees the confirmation, confirms, and sees the progress indicator. */
  async act(action: 'start' | 'stop' | 'restart'): Promise<void> {
    await this.root.getByTestId(`action-${action}`).click();
    const dialog = this.page.getByTestId('confirm-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(`${action} ${this.service}?`);
    await dialog.getByRole('button', { name: action, exact: true }).click();
  }

  async filterLogs(text: string): Promise<string[]> {
    await this.root.getByTestId('log-filter').fill(text);
    return this.root.getByTestId('log-lines').locator('div').allTextContents();
  }

  /** The lines at a level: every shown line is an error or warning (or the supervisor's own). */
  async linesAtLevel(level: 'all' | 'warn' | 'error'): Promise<string[]> {
    await this.root.getByTestId('log-level').selectOption(level);
    const box = this.root.getByTestId('log-lines');
    return (await box.count()) ? box.locator('div').allTextContents() : [];
  }

  async downloadLog() {
    const download = this.page.waitForEvent('download');
    await this.root.getByTestId('log-download').click();
    return download;
  }
}
