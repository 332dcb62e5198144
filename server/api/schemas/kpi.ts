import { Type } from 'typebox';

export const SUITE_NAMES = [
  'data',
  'auth',
  'wasm',
  'resources',
  'start',
  'isolation',
  'rbac',
  'workflow',
  'overload',
] as const;
export const SuiteNameSchema = Type.Enum([...SUITE_NAMES]);
export const ProfileSchema = Type.Enum(['quick', 'full']);
export const VerdictSchema = Type.Enum(['pass', 'fail', 'stale', 'not-run']);

/** One case of a matrix suite (isolation, RBAC): what was asked, what had to happen, what did. */
export const CaseSchema = Type.Object({
  name: Type.String(),
  request: Type.String(),
  expected: Type.String(),
  observed: Type.String(),
  pass: Type.Boolean(),
});

/** What one suite measured in a run: named numbers, and the cases or timeline it recorded. */
export const SuiteResultSchema = Type.Object({
  suite: SuiteNameSchema,
  state: Type.Enum(['done', 'error']),
  error: Type.Optional(Type.String()),
  startedAt: Type.Number(),
  endedAt: Type.Number(),
  values: Type.Record(Type.String(), Type.Number()),
  cases: Type.Optional(Type.Array(CaseSchema)),
  /** Lines of a timeline (the workflow suite's attempts). */
  timeline: Type.Optional(Type.Array(Type.String())),
});

/** A second of live load while a suite runs (for the KPIs screen's charts). */
export const LiveSampleSchema = Type.Object({
  at: Type.Number(),
  suite: SuiteNameSchema,
  stream: Type.String(),
  rps: Type.Number(),
  p50Ms: Type.Number(),
  p99Ms: Type.Number(),
});

export const MachineSchema = Type.Object({
  cpuModel: Type.String(),
  cores: Type.Integer(),
  memoryGb: Type.Number(),
  os: Type.String(),
  node: Type.String(),
  electron: Type.Optional(Type.String()),
  driver: Type.String(),
  services: Type.Record(Type.String(), Type.String()),
});

export const BenchRunSchema = Type.Object({
  id: Type.String(),
  profile: ProfileSchema,
  suites: Type.Array(SuiteNameSchema),
  state: Type.Enum(['running', 'done', 'error']),
  error: Type.Optional(Type.String()),
  startedAt: Type.Number(),
  endedAt: Type.Optional(Type.Number()),
  progress: Type.Object({ suite: Type.Optional(SuiteNameSchema), step: Type.String(), fraction: Type.Number() }),
  /** Whether the stack went over its memory budget while the run lasted, and its peak. */
  peakMemoryBytes: Type.Number(),
  budgetExceeded: Type.Boolean(),
  /** The services that slept (idle) when the run began, woken to be measured. */
  woke: Type.Optional(Type.Array(Type.String())),
  machine: MachineSchema,
  results: Type.Array(SuiteResultSchema),
  samples: Type.Array(LiveSampleSchema),
});

/** A run in the history: the run without its machine, results and samples. */
export const BenchRunSummarySchema = Type.Pick(BenchRunSchema, [
  'id',
  'profile',
  'suites',
  'state',
  'error',
  'startedAt',
  'endedAt',
]);

export const StartRunSchema = Type.Object(
  {
    suites: Type.Optional(
      Type.Array(SuiteNameSchema, { minItems: 1, maxItems: SUITE_NAMES.length, uniqueItems: true }),
    ),
    profile: Type.Optional(ProfileSchema),
  },
  { additionalProperties: false },
);
export const RunIdParamsSchema = Type.Object({ id: Type.String({ pattern: '^[0-9A-Za-z-]{1,64}$' }) });

export const KpiSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  unit: Type.String(),
  pocTarget: Type.String(),
  target: Type.String(),
  method: Type.String(),
  suite: SuiteNameSchema,
  verdict: VerdictSchema,
  /** The latest measurement, as shown ("3.1 ms p95 at 500 req/s"), and when and in which run. */
  measured: Type.Optional(Type.String()),
  at: Type.Optional(Type.Number()),
  runId: Type.Optional(Type.String()),
  /** The machine the latest measurement ran on ("AMD EPYC, 2 cores, 24 GB, native"). */
  machine: Type.Optional(Type.String()),
  /** The KPI's main number in the last runs that measured it, oldest first (a sparkline). */
  trend: Type.Array(Type.Number()),
  /** The same runs in full, oldest first: when, what was measured, whether it passed, and on what machine. */
  history: Type.Array(
    Type.Object({
      at: Type.Number(),
      runId: Type.String(),
      value: Type.Number(),
      measured: Type.String(),
      pass: Type.Boolean(),
      machine: Type.String(),
    }),
  ),
});

/** A KPI that keeps the decision from Go: failed, stale (older than 7 days) or never measured. */
export const BlockingKpiSchema = Type.Pick(KpiSchema, ['id', 'name', 'suite', 'verdict', 'target', 'measured', 'at']);

/**
 * The Go/No-Go decision: go when every KPI passes, no-go when one fails, incomplete when none fails but some are
 * stale or not measured (`missingSuites` runs what is missing).
 */
export const DecisionSchema = Type.Enum(['go', 'no-go', 'incomplete']);
/** The decision as the screen and the report word it. */
export const DECISION_LABELS = { go: 'Go', 'no-go': 'No-Go', incomplete: 'Incomplete' } as const;

export const KpisViewSchema = Type.Object({
  kpis: Type.Array(KpiSchema),
  passing: Type.Integer(),
  total: Type.Integer(),
  decision: DecisionSchema,
  blocking: Type.Array(BlockingKpiSchema),
  missingSuites: Type.Array(SuiteNameSchema),
  lastRunAt: Type.Optional(Type.Number()),
  /** The newest run, whatever its state: the screen shows it again after a reload. */
  lastRunId: Type.Optional(Type.String()),
  running: Type.Optional(Type.String()),
});
