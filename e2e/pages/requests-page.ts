import { expect, type Page } from '@playwright/test';

/** The Requests screen: the live list with its filters, one request's waterfall, and its explanation. */
export class RequestsPage {
  constructor(readonly page: Page) {}

  rows() {
    return this.page.getByTestId('request-row');
  }

  async filterStatus(status: 'any' | 'failed (4xx, 5xx, aborted)' | '2xx' | '4xx' | '5xx'): Promise<void> {
    await this.page.getByLabel('status').selectOption({ label: status });
  }

  async filterPath(path: string): Promise<void> {
    await this.page.getByLabel('path').fill(path);
  }

  /** Opens the newest request whose URL (query included) has this part, and waits for its waterfall. */
  async open(urlPart: string): Promise<void> {
    await this.rows()
      .filter({ has: this.page.locator(`button[title*="${urlPart}"]`) })
      .first()
      .click();
    await expect(this.page.getByTestId('waterfall')).toBeVisible();
  }

  spans() {
    return this.page.getByTestId('waterfall').getByTestId('span');
  }

  async explain(): Promise<void> {
    await this.page.getByTestId('request-detail').getByRole('button', { name: 'Explain' }).click();
    await expect(this.page.getByTestId('explanation')).toBeVisible();
  }

  explanation() {
    return this.page.getByTestId('explanation');
  }
}
