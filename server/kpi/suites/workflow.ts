import { ask } from './http-case.js';
import { checkAborted, type Suite } from './suite.js';

const FAILURES = 2;
const DEADLINE_MS = 90_000;

/** A registration workflow whose welcome email fails its first two attempts: it must retry, complete, and show it. */
export const workflowSuite: Suite = {
  name: 'workflow',
  deadlineMs: { quick: 120_000, full: 120_000 },
  async run(ctx) {
    const token = await ctx.token(ctx.people().admin);
    const email = `kpi-${Date.now().toString(36)}@t1.test`;
    const t0 = Date.now();
    const started = await ask('POST', `${ctx.gatewayUrl}/workflows/registration`, {
      token,
      json: { email, failTimes: FAILURES, failActivity: 'SendWelcomeEmail' },
    });
    if (started.status !== 201 && started.status !== 200)
      throw new Error(`the workflow did not start: ${started.status} ${started.json?.message ?? ''}`);
    const id = encodeURIComponent(started.json.workflowId);
    // biome-ignore lint/suspicious/noExplicitAny: the detail is read field by field
    let detail: any;
    while (Date.now() - t0 < DEADLINE_MS) {
      checkAborted(ctx.signal);
      detail = (await ask('GET', `${ctx.gatewayUrl}/workflows/${id}`, { token })).json;
      const attempts = detail?.attempts?.length ?? 0;
      ctx.progress(
        `workflow ${detail?.status ?? 'starting'}, ${attempts} activity attempts so far`,
        Math.min(0.9, attempts / (FAILURES + 2)),
      );
      if (detail?.status && detail.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const welcome = (detail?.attempts ?? []).filter((a: { activity: string }) => a.activity === 'SendWelcomeEmail');
    return {
      values: {
        completed: detail?.status === 'COMPLETED' ? 1 : 0,
        attempts: welcome.length,
        failuresInjected: FAILURES,
        durationS: Math.round((Date.now() - t0) / 100) / 10,
      },
      timeline: (detail?.attempts ?? []).map(
        (a: { activity: string; attempt: number; startedAt: string; outcome: string | null; error: string | null }) =>
          `${a.startedAt} ${a.activity} attempt ${a.attempt}: ${a.outcome ?? 'running'}${a.error ? ` (${a.error})` : ''}`,
      ),
    };
  },
};
