import type { Suite } from './suite.js';

/** The core's own starts (cold: into a new app home), as it recorded them; this suite only reads them. */
export const startSuite: Suite = {
  name: 'start',
  deadlineMs: { quick: 5_000, full: 5_000 },
  async run(ctx) {
    const starts = await ctx.starts();
    const last = (cold: boolean) => starts.filter((s) => s.cold === cold).at(-1);
    const values: Record<string, number> = {};
    const cold = last(true);
    const warm = last(false);
    if (cold) values.coldS = Math.round(cold.ms / 100) / 10;
    if (warm) values.warmS = Math.round(warm.ms / 100) / 10;
    if (!cold && !warm) throw new Error('no start of this core was recorded');
    return {
      values,
      timeline: starts
        .slice(-10)
        .map((s) => `${new Date(s.at).toISOString()} ${s.cold ? 'cold' : 'warm'} start: ${s.ms} ms`),
    };
  },
};
