import { type Download, expect, type Page } from '@playwright/test';

/** The KPIs screen: the verdict table, runs with their progress and outcome, the report download. */
export class KpisPage {
  constructor(readonly page: Page) {}

  verdict(kpiId: string) {
    return this.page.getByTestId(`kpi-${kpiId}`).getByTestId('verdict');
  }

  async runSuite(kpiId: string, suite: string): Promise<void> {
    await this.page
      .getByTestId(`kpi-${kpiId}`)
      .getByRole('button', { name: `run ${suite}` })
      .click();
    await expect(this.page.getByTestId('run')).toBeVisible();
  }

  /** Waits for the shown run to end and returns its final state. */
  async runEnds(timeout = 120_000): Promise<string> {
    const state = this.page.getByTestId('run-state');
    await expect(state).not.toHaveText('running', { timeout });
    return (await state.textContent()) ?? '';
  }

  async downloadReport(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('kpi-report').click();
    return download;
  }
}
