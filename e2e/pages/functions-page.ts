import { expect, type Page } from '@playwright/test';

export class FunctionsPage {
  constructor(readonly page: Page) {}

  async deploy(file: string, name: string): Promise<void> {
    await this.page.getByTestId('upload-file').setInputFiles(file);
    await this.page.getByTestId('upload-name').fill(name);
    await this.page.getByTestId('upload-submit').click();
    await expect(this.page.getByTestId(`function-row-${name}`)).toBeVisible();
  }

  async invoke(name: string, input: string): Promise<{ output: string; timings: string }> {
    await this.page.getByTestId('invoke-name').selectOption(name);
    await this.page.getByTestId('invoke-input').fill(input);
    await this.page.getByTestId('invoke-submit').click();
    const result = this.page.getByTestId('invoke-result');
    await expect(result).toBeVisible();
    return {
      output: (await result.getByTestId('invoke-output').textContent()) ?? '',
      timings: (await result.getByTestId('invoke-timings').textContent()) ?? '',
    };
  }
}
