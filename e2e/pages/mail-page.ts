import { expect, type Page } from '@playwright/test';

/** The Mail screen: the caught mail, searched by recipient; one message opened, its code read. */
export class MailPage {
  constructor(readonly page: Page) {}

  async search(text: string): Promise<void> {
    await this.page.getByTestId('mail-search').fill(text);
  }

  /** Opens the newest message whose subject contains `subject` (it appears within the screen's poll). */
  async open(subject: string): Promise<void> {
    const item = this.page.getByTestId('mail-item').filter({ hasText: subject }).first();
    await expect(item).toBeVisible({ timeout: 20_000 });
    await item.getByRole('button').click();
    await expect(this.page.getByTestId('mail-subject')).toContainText(subject);
  }

  /** The code the open message holds, as the screen shows it. */
  async code(): Promise<string> {
    const code = this.page.getByTestId('mail-code').first();
    await expect(code).toHaveText(/^\d{6,8}$/);
    return (await code.textContent())!.trim();
  }
}
