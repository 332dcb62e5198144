import { expect, type Page } from '@playwright/test';

export class SettingsPage {
  constructor(readonly page: Page) {}

  async home(): Promise<string> {
    return (await this.page.getByTestId('settings-home').textContent()) ?? '';
  }

  async savePortBase(value: string): Promise<void> {
    await this.page.getByTestId('settings-port-base').fill(value);
    await this.page.getByTestId('settings-form').getByRole('button', { name: 'Save' }).click();
  }

  async expectSaved(): Promise<void> {
    await expect(this.page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  }

  async expectError(text: string): Promise<void> {
    await expect(this.page.getByRole('alert')).toContainText(text);
  }
}
