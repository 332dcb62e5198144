import type { Static } from 'typebox';
import type { BlockingKpiSchema, DecisionSchema, KpiSchema, MachineSchema } from '../api/schemas/kpi.js';
import type { SuiteName } from './registry.js';

type Kpi = Static<typeof KpiSchema>;
export type Decision = Static<typeof DecisionSchema>;
export type BlockingKpi = Static<typeof BlockingKpiSchema>;

/** "AMD EPYC 7B13, 2 cores, 24 GB, native": enough to tell two machines' measurements apart. */
export const machineLabel = (m: Static<typeof MachineSchema>): string =>
  `${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.driver}`;

/**
 * Go when every KPI passes; No-Go as soon as one fails (whatever else is missing: a measured failure decides);
 * incomplete when none fails but some are stale or never measured. The blocking list holds every KPI that is not
 * a pass, failures first; `missingSuites` are the suites that would measure the stale and unmeasured ones.
 */
export function decide(kpis: readonly Kpi[]): {
  decision: Decision;
  blocking: BlockingKpi[];
  missingSuites: SuiteName[];
} {
  const order = { fail: 0, stale: 1, 'not-run': 2, pass: 3 } as const;
  const blocking = kpis
    .filter((k) => k.verdict !== 'pass')
    .sort((a, b) => order[a.verdict] - order[b.verdict])
    .map(({ id, name, suite, verdict, target, measured, at }) => ({
      id,
      name,
      suite,
      verdict,
      target,
      ...(measured !== undefined ? { measured } : {}),
      ...(at !== undefined ? { at } : {}),
    }));
  const missingSuites = [...new Set(blocking.filter((k) => k.verdict !== 'fail').map((k) => k.suite))];
  const decision: Decision = blocking.some((k) => k.verdict === 'fail')
    ? 'no-go'
    : blocking.length
      ? 'incomplete'
      : 'go';
  return { decision, blocking, missingSuites };
}
