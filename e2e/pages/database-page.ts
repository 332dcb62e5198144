import { expect, type Page } from '@playwright/test';

/** The Database screen: the project's migrations, tables and types. */
export class DatabasePage {
  constructor(readonly page: Page) {}

  migration(name: string) {
    return this.page.getByTestId('migrations').getByRole('row').filter({ hasText: name });
  }

  table(name: string) {
    return this.page
      .getByTestId('tables')
      .getByRole('row')
      .filter({ hasText: `api.${name}` });
  }

  async showTypes(): Promise<void> {
    await this.page.getByRole('button', { name: 'generate types' }).click();
    await expect(this.page.getByTestId('types')).toContainText('export type Database');
  }
}
