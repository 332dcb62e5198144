import { ask, deployHello } from './http-case.js';
import { checkAborted, type Suite } from './suite.js';

const HOT_CALLS = { quick: 200, full: 2000 } as const;

const timing = (headers: Record<string, string | string[] | undefined>, name: string) =>
  Number(headers[`x-apprun-${name}-ms`] ?? Number.NaN);

/**
 * The example `hello` function, uploaded fresh for the run: its first invocation (compile + instantiate + call) is
 * the cold start; then repeated invocations reuse the warm instance, and the run segment of each is the hot call.
 */
export const wasmSuite: Suite = {
  name: 'wasm',
  deadlineMs: { quick: 60_000, full: 120_000 },
  async run(ctx) {
    const token = await ctx.token(ctx.people().admin);
    const name = `kpi-hello-${Date.now().toString(36)}`;
    const deployed = await deployHello(ctx.gatewayUrl, token, name);
    if (deployed.status !== 201) throw new Error(`the example function could not be deployed: ${deployed.status}`);
    try {
      const invoke = async () => {
        const res = await ask('POST', `${ctx.gatewayUrl}/functions/${name}/invoke`, {
          token,
          body: 'kpi',
          headers: { 'content-type': 'text/plain' },
        });
        if (res.status !== 200) throw new Error(`invoke: ${res.status} ${res.json?.message ?? ''}`);
        return res.headers;
      };
      const cold = await invoke();
      const coldMs = timing(cold, 'compile') + timing(cold, 'instantiate') + timing(cold, 'run');
      const runs: number[] = [];
      const n = HOT_CALLS[ctx.profile];
      for (let i = 0; i < n; i++) {
        if (i % 50 === 0) {
          checkAborted(ctx.signal);
          ctx.progress(`hot calls ${i}/${n}`, i / n);
        }
        runs.push(timing(await invoke(), 'run') * 1000);
      }
      runs.sort((a, b) => a - b);
      const pct = (p: number) => Math.round(runs[Math.min(runs.length - 1, Math.floor((p / 100) * runs.length))]!);
      return { values: { coldMs: Math.round(coldMs * 100) / 100, hotP50Us: pct(50), hotP99Us: pct(99), hotCalls: n } };
    } finally {
      await ask('DELETE', `${ctx.gatewayUrl}/functions/${name}`, { token }).catch(() => undefined);
    }
  },
};
