import { expect, type Page } from '@playwright/test';

export class SnapshotsPage {
  constructor(readonly page: Page) {}

  async save(name: string): Promise<void> {
    await this.page.getByTestId('snapshot-name').fill(name);
    await this.page.getByTestId('snapshot-save').click();
    await expect(this.page.getByTestId('snapshot-done')).toContainText(`saved ${name}`);
    await expect(this.row(name)).toBeVisible();
  }

  row(name: string) {
    return this.page.getByTestId(`snapshot-row-${name}`);
  }

  /** Restore or delete a snapshot, through the confirmation dialog. */
  async confirmed(action: 'restore' | 'delete', name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: action }).click();
    const dialog = this.page.getByTestId('confirm-dialog');
    await expect(dialog).toContainText(`${action} ${name}?`);
    await dialog.getByRole('button', { name: action }).click();
  }
}
