import { expect, type Page } from '@playwright/test';

export class StoragePage {
  constructor(readonly page: Page) {}

  async upload(key: string, fileName: string, text: string): Promise<void> {
    await this.page
      .getByTestId('storage-file')
      .setInputFiles({ name: fileName, mimeType: 'text/plain', buffer: Buffer.from(text) });
    await this.page.getByTestId('storage-key').fill(key);
    await this.page.getByTestId('storage-upload-submit').click();
    await expect(this.page.getByTestId(`object-row-${key}`)).toBeVisible();
  }

  async download(key: string): Promise<string> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(`object-row-${key}`).getByRole('button', { name: 'download' }).click(),
    ]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async share(key: string): Promise<void> {
    await this.page.getByTestId(`object-row-${key}`).getByRole('button', { name: 'link' }).click();
    await expect(this.page.getByTestId('storage-link')).toContainText(`Link to ${key}`);
  }

  async remove(key: string): Promise<void> {
    await this.page.getByTestId(`object-row-${key}`).getByRole('button', { name: 'delete' }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'delete' }).click();
    await expect(this.page.getByTestId(`object-row-${key}`)).toHaveCount(0);
  }
}
