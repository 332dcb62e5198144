import { expect, type Locator, type Page } from '@playwright/test';

export class WorkflowsPage {
  constructor(readonly page: Page) {}

  async startRegistration(email: string, failTimes = 0, failActivity = 'SendWelcomeEmail'): Promise<void> {
    await this.page.getByTestId('registration-email').fill(email);
    await this.page.getByTestId('registration-fail-times').fill(String(failTimes));
    await this.page.getByTestId('registration-fail-activity').selectOption(failActivity);
    await this.page.getByTestId('registration-submit').click();
    await expect(this.page.getByTestId('workflow-detail').getByRole('heading', { name: email })).toBeVisible();
  }

  /** Waits (retries take a few seconds of backoff) for the open workflow's status. */
  async expectStatus(status: string): Promise<void> {
    await expect(this.page.getByTestId('workflow-detail').getByRole('heading').locator('.badge')).toHaveText(status, {
      timeout: 20_000,
    });
  }

  async attempts(activity: string): Promise<string[]> {
    return (await this.page.getByTestId(`timeline-${activity}`).getByTestId('timeline-attempt').allTextContents()).map(
      (t) => t.trim(),
    );
  }

  temporalUiLink(): Locator {
    return this.page.getByTestId('temporal-ui-link');
  }
}
