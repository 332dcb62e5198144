import { expect, type Page } from '@playwright/test';

/** The sidebar's "Tenant user" switcher: who every tenant screen acts as. */
export async function actAs(page: Page, email: string): Promise<void> {
  const select = page.getByTestId('acting-as-select');
  const option = select.locator('option', { hasText: email });
  await expect(option).toHaveCount(1);
  await select.selectOption({ value: (await option.getAttribute('value'))! });
  await expect(page.getByTestId('acting-as-select').locator('option:checked')).toContainText(email);
}

/** The Data screen: a table's rows as the acting user, its edits, and the read-only SQL console. */
export class DataPage {
  constructor(readonly page: Page) {}

  async openTable(name: string): Promise<void> {
    await this.page.getByTestId(`table-${name}`).click();
    await expect(this.page.getByTestId(`browse-${name}`)).toBeVisible();
  }

  rows() {
    return this.page.getByTestId('browse-rows');
  }

  /** The values of one column, as the rows table shows them. */
  async column(name: string): Promise<string[]> {
    const table = this.rows();
    const headers = await table.locator('thead th').allTextContents();
    const index = headers.indexOf(name);
    if (index < 0) throw new Error(`no column ${name} in ${headers.join(', ')}`);
    return table.locator(`tbody tr td:nth-child(${index + 1})`).allTextContents();
  }

  async insert(json: string): Promise<void> {
    await this.page.getByText(/^Insert a row as /).click();
    const editor = this.page.getByTestId('row-editor');
    await editor.getByTestId('row-json').fill(json);
    await editor.getByRole('button', { name: 'insert' }).click();
  }

  rowWith(text: string) {
    return this.rows().locator('tbody tr', { hasText: text });
  }

  async edit(text: string, json: string): Promise<void> {
    await this.rowWith(text).getByRole('button', { name: 'edit' }).click();
    const editor = this.page.getByTestId('row-editor');
    await editor.getByTestId('row-json').fill(json);
    await editor.getByRole('button', { name: /^save row / }).click();
  }

  async remove(text: string): Promise<void> {
    await this.rowWith(text).getByRole('button', { name: 'delete' }).click();
    await this.page.getByTestId('confirm-dialog').getByRole('button', { name: 'delete the row' }).click();
    await expect(this.rowWith(text)).toHaveCount(0);
  }

  async sql(statement: string): Promise<void> {
    const console = this.page.getByTestId('sql-console').last();
    await console.getByTestId('sql-text').fill(statement);
    await console.getByRole('button', { name: 'Run' }).click();
  }
}
