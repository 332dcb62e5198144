import { adminApi, type BenchRunView, type KpisView, SUITE_NAMES, type SuiteName } from '../../api/contract.js';
import type { CoreState } from '../../core-state.js';
import { table } from './format.js';

const VERDICT: Record<string, string> = { pass: 'PASS', fail: 'FAIL', stale: 'stale', 'not-run': 'not run' };

const DECISION: Record<KpisView['decision'], string> = { go: 'Go', 'no-go': 'No-Go', incomplete: 'incomplete' };

/** The decision line and what blocks it: each failing KPI with its value against its target, then what is missing. */
export function renderDecision(view: KpisView): string {
  const lines = [`Decision: ${DECISION[view.decision]} (${view.passing} of ${view.total} KPIs pass)`];
  for (const k of view.blocking.filter((b) => b.verdict === 'fail'))
    lines.push(`  blocking: ${k.name}: ${k.measured ?? '—'} (target ${k.target})`);
  const missing = view.blocking.filter((b) => b.verdict !== 'fail');
  if (missing.length)
    lines.push(
      `  not measured or stale: ${missing.map((k) => k.name).join('; ')}`,
      `  measure them: apprun kpi --suite ${view.missingSuites.join(',')}`,
    );
  return lines.join('\n');
}

/** The verdict table: every KPI of the registry, its targets, latest value and verdict; then the decision. */
export function renderKpis(view: KpisView): string {
  return [
    table(
      ['KPI', 'POC target', 'apprun target', 'measured', 'verdict'],
      view.kpis.map((k) => [k.name, k.pocTarget, k.target, k.measured ?? '—', VERDICT[k.verdict] ?? k.verdict]),
    ),
    renderDecision(view),
  ].join('\n');
}

export function parseSuites(list: string | undefined): SuiteName[] | undefined {
  if (!list) return undefined;
  const suites = list.split(',').map((s) => s.trim());
  const unknown = suites.filter((s) => !(SUITE_NAMES as readonly string[]).includes(s));
  if (unknown.length) throw new Error(`unknown suite ${unknown.join(', ')}; known: ${SUITE_NAMES.join(', ')}`);
  return suites as SuiteName[];
}

/**
 * `apprun kpi`: runs the suites on the running core, showing progress, then prints the verdicts; the exit code is 1
 * when the run failed or a KPI it measured fails.
 */
export async function runKpis(
  state: CoreState,
  opts: { suites?: SuiteName[]; profile: 'quick' | 'full'; json: boolean },
): Promise<number> {
  const api = adminApi(state, { timeoutMs: 15_000 });
  let run: BenchRunView = await api.startBenchRun({ suites: opts.suites, profile: opts.profile });
  let last = '';
  while (run.state === 'running') {
    await new Promise((r) => setTimeout(r, 1000));
    run = await api.benchRun(run.id);
    const line = `[${Math.round(run.progress.fraction * 100)}%] ${run.progress.suite ?? ''} ${run.progress.step}`;
    if (line !== last && !opts.json) process.stderr.write(`${line}\n`);
    last = line;
  }
  const view = await api.kpis();
  const measured = view.kpis.filter((k) => run.suites.includes(k.suite));
  if (opts.json) process.stdout.write(`${JSON.stringify({ run, kpis: view }, null, 2)}\n`);
  else {
    process.stdout.write(`${renderKpis(view)}\n`);
    for (const r of run.results.filter((x) => x.state === 'error'))
      process.stdout.write(`suite ${r.suite} failed: ${r.error}\n`);
    if (run.woke?.length)
      process.stdout.write(`woke ${run.woke.join(', ')} (asleep: idle) to measure the stack awake\n`);
    if (run.budgetExceeded) process.stdout.write('the stack went over its memory budget during the run\n');
    process.stdout.write(
      `run ${run.id}: ${run.state} in ${Math.round(((run.endedAt ?? Date.now()) - run.startedAt) / 1000)} s\n`,
    );
  }
  return run.state !== 'done' || measured.some((k) => k.verdict === 'fail') ? 1 : 0;
}
