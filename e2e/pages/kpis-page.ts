import { type Download, expect, type Page } from '@playwright/test';

/** The KPIs screen: the verdict table, runs with their progress and outcome, the report download. */
export class KpisPage {
  constructor(readonly page: Page) {}

  verdict(kpiId: string) {
    return this.page.getByTestId(`kpi-${kpiId}`).getByTestId('verdict');
  }

  /** Starts a KPI's suite and waits until the screen shows the new run (not the one before it). */
  async runSuite(kpiId: string, suite: string): Promise<void> {
    const title = this.page.locator('#run-title');
    const before = (await title.count()) ? await title.textContent() : null;
    await this.page
      .getByTestId(`kpi-${kpiId}`)
      .getByRole('button', { name: `run ${suite}` })
      .click();
    await expect(this.page.getByTestId('run')).toBeVisible();
    if (before) await expect(title).not.toHaveText(before);
  }

  /** Waits for the shown run to end and returns its final state. */
  async runEnds(timeout = 120_000): Promise<string> {
    const state = this.page.getByTestId('run-state');
    await expect(state).not.toHaveText('running', { timeout });
    return (await state.textContent()) ?? '';
  }

  decisionWord() {
    return this.page.getByTestId('decision-word');
  }

  /** The KPIs the decision panel lists as blocking (failing), by id. */
  async blockingIds(): Promise<string[]> {
    const items = await this.page.getByTestId('decision').locator('[data-testid^="blocking-"]').all();
    return Promise.all(items.map(async (i) => (await i.getAttribute('data-testid'))!.replace('blocking-', '')));
  }

  /** Opens a KPI's row: its cases and history. */
  async expand(kpiId: string) {
    await this.page.getByTestId(`kpi-${kpiId}`).getByTestId('kpi-expand').click();
    return this.page.getByTestId(`kpi-details-${kpiId}`);
  }

  /**
   * A run chart's series: how many the legend names, and how many are drawn in the SVG (a line of two or more
   * points, or dots).
   */
  async chartSeries(field: 'rps' | 'p99Ms'): Promise<{ legend: string[]; drawn: number }> {
    const chart = this.page.getByTestId(`live-${field}`);
    const legend = await chart.locator('.recharts-legend-item-text').allTextContents();
    // recharts draws a line's dots in a layer of their own: they are matched to the line by its colour.
    const drawn = await chart.evaluate(
      (el) =>
        [...el.querySelectorAll('path.recharts-line-curve')].filter(
          (curve) =>
            /L/.test(curve.getAttribute('d') ?? '') ||
            el.querySelectorAll(`circle.recharts-line-dot[stroke="${curve.getAttribute('stroke')}"]`).length > 0,
        ).length,
    );
    return { legend, drawn };
  }

  async downloadReport(): Promise<Download> {
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('kpi-report').click();
    return download;
  }
}
