import { expect, type Locator, type Page } from '@playwright/test';
import { SERVICE_NAMES } from '../../server/api/contract';

export class OverviewPage {
  constructor(readonly page: Page) {}

  card(service: string): Locator {
    return this.page.getByTestId(`service-card-${service}`);
  }

  async expectAllHealthy(): Promise<void> {
    for (const s of SERVICE_NAMES)
      await expect(this.card(s).getByTestId('state')).toHaveText('healthy', { timeout: 60_000 });
    await expect(this.page.getByTestId('budget-summary')).toContainText('5 of 5 services healthy');
  }

  /** "workflow worker idle (starts with the first workflow)", "workflow worker running", … */
  workflowWorker(): Locator {
    return this.page.getByTestId('workflow-worker');
  }

  /** The outline of the stacked memory chart's top area: it changes as new samples arrive. */
  async memoryChartShape(): Promise<string> {
    const areas = this.page.getByTestId('memory-chart').locator('path.recharts-area-area');
    await expect(areas.first()).toBeVisible();
    return (await areas.evaluateAll((paths) => paths.map((p) => p.getAttribute('d')).join('|'))) ?? '';
  }
}
