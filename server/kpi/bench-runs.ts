import { randomUUID } from 'node:crypto';
import type { Static } from 'typebox';
import type { BenchRunSummarySchema, KpisViewSchema, SuiteResultSchema } from '../api/schemas/kpi.js';
import { DomainError } from '../errors.js';
import { decide, machineLabel } from './decision.js';
import type { Machine } from './machine.js';
import { KPIS, STALE_AFTER_MS, type SuiteName } from './registry.js';
import type { BenchRun, RunStore } from './run-store.js';
import { SUITES } from './suites/index.js';
import type { Profile, SuiteContext } from './suites/suite.js';

export type { BenchRun };
export type BenchRunSummary = Static<typeof BenchRunSummarySchema>;
export type KpisView = Static<typeof KpisViewSchema>;
type SuiteResult = Static<typeof SuiteResultSchema>;

/** What the runner needs of the core; the suites' context is built from it. */
export interface BenchDeps extends Omit<SuiteContext, 'profile' | 'progress' | 'sample' | 'signal'> {
  machine(): Promise<Machine>;
  budgetBytes: number;
  /** Every service's state and restart count: a run ends as error when one goes down or restarts under it. */
  services(): { name: string; state: string; restarts: number }[];
  /** Keeps the idle sleeper from sleeping anything on its own until the release (a run measures a stack awake). */
  pinAwake(): () => void;
}

/** A service in one of these states is down; asleep (idle, or put to sleep by a suite) and waking are not. */
const DOWN_STATES = new Set(['failed', 'stopped', 'restarting']);

const MAX_SAMPLES = 600;
/** The order suites run in when all are asked for: cheap and disturbing nothing first, load last. */
const ORDER: SuiteName[] = ['start', 'rbac', 'isolation', 'workflow', 'wasm', 'auth', 'resources', 'data', 'overload'];

/**
 * The KPI center's runs: one at a time, each suite bounded by its deadline, progress and live samples to whoever
 * listens, every run stored (RunStore) and the KPIs judged from the latest runs.
 */
export class BenchRuns {
  private runs: BenchRun[] = [];
  private current?: { run: BenchRun; abort: AbortController };
  private readonly listeners = new Map<string, Set<(run: BenchRun) => void>>();

  constructor(
    private readonly store: RunStore,
    private readonly deps: BenchDeps,
  ) {}

  async load(): Promise<void> {
    this.runs = await this.store.loadAll();
  }

  list(): BenchRunSummary[] {
    return this.runs.map(({ id, profile, suites, state, error, startedAt, endedAt }) => ({
      id,
      profile,
      suites,
      state,
      ...(error ? { error } : {}),
      startedAt,
      ...(endedAt ? { endedAt } : {}),
    }));
  }

  /** Every stored run, oldest first. */
  all(): readonly BenchRun[] {
    return this.runs;
  }

  get(id: string): BenchRun {
    const run = this.runs.find((r) => r.id === id);
    if (!run) throw new DomainError('not_found', 'unknown_run', `no benchmark run "${id}"`);
    return run;
  }

  /** Calls back on every change of a run until it ends; returns the unsubscribe. */
  subscribe(id: string, listener: (run: BenchRun) => void): () => void {
    const set = this.listeners.get(id) ?? new Set();
    set.add(listener);
    this.listeners.set(id, set);
    return () => set.delete(listener);
  }

  async start(suites: SuiteName[] | undefined, profile: Profile = 'quick'): Promise<BenchRun> {
    if (this.current)
      throw new DomainError(
        'conflict',
        'run_in_progress',
        `benchmark run ${this.current.run.id} is still going; one at a time`,
      );
    const chosen = ORDER.filter((s) => !suites || suites.includes(s));
    const run: BenchRun = {
      id: `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`,
      profile,
      suites: chosen,
      state: 'running',
      startedAt: Date.now(),
      progress: { step: 'starting', fraction: 0 },
      peakMemoryBytes: 0,
      budgetExceeded: false,
      machine: await this.deps.machine(),
      results: [],
      samples: [],
    };
    const abort = new AbortController();
    this.current = { run, abort };
    this.runs.push(run);
    await this.store.save(run);
    void this.execute(run, abort).finally(() => (this.current = undefined));
    return run;
  }

  /** Ends the current run (the core is stopping). */
  async stop(): Promise<void> {
    this.current?.abort.abort('the core is stopping');
  }

  private changed(run: BenchRun): void {
    for (const listener of this.listeners.get(run.id) ?? []) listener(run);
  }

  /** Services down now, or restarted since the baseline (a crash healed between two looks is still a crash). */
  private wentDown(baseline: Map<string, number>): string[] {
    return this.deps
      .services()
      .filter((s) => DOWN_STATES.has(s.state) || s.restarts > (baseline.get(s.name) ?? 0))
      .map((s) => (DOWN_STATES.has(s.state) ? `${s.name} (${s.state})` : `${s.name} (restarted)`));
  }

  private async execute(run: BenchRun, abort: AbortController): Promise<void> {
    const release = this.deps.pinAwake();
    // What slept is measured awake: woken first, and the run says so; a service that will not wake ends the run.
    const asleep = this.deps.services().filter((s) => s.state === 'asleep');
    if (asleep.length) {
      run.progress = {
        step: `waking ${asleep.map((s) => s.name).join(', ')} (asleep: idle) to measure them`,
        fraction: 0,
      };
      this.changed(run);
    }
    await this.deps.wakeAll().then(
      (woke) => {
        if (woke.length) run.woke = woke;
      },
      (err: Error) => abort.abort(err.message),
    );
    const baseline = new Map(this.deps.services().map((s) => [s.name, s.restarts]));
    const watch = setInterval(() => {
      const usage = this.deps.usage();
      if (usage) {
        run.peakMemoryBytes = Math.max(run.peakMemoryBytes, usage.memoryBytes);
        run.budgetExceeded ||= usage.memoryBytes > this.deps.budgetBytes;
      }
      const down = this.wentDown(baseline);
      if (down.length && !abort.signal.aborted) abort.abort(`${down.join(', ')} went down during the run`);
    }, 250);
    try {
      for (const [i, name] of run.suites.entries()) {
        if (abort.signal.aborted) break;
        const suite = SUITES[name];
        const startedAt = Date.now();
        const deadline = AbortSignal.timeout(suite.deadlineMs[run.profile]);
        const signal = AbortSignal.any([abort.signal, deadline]);
        const context: SuiteContext = {
          ...this.deps,
          profile: run.profile,
          signal,
          progress: (step, fraction) => {
            run.progress = {
              suite: name,
              step,
              fraction: (i + Math.min(1, Math.max(0, fraction))) / run.suites.length,
            };
            this.changed(run);
          },
          sample: (s) => {
            run.samples.push({ ...s, suite: name, at: Date.now() });
            if (run.samples.length > MAX_SAMPLES) run.samples.splice(0, run.samples.length - MAX_SAMPLES);
            this.changed(run);
          },
        };
        context.progress('starting', 0);
        let result: SuiteResult;
        try {
          const outcome = await Promise.race([
            suite.run(context),
            new Promise<never>((_, reject) =>
              signal.addEventListener('abort', () =>
                reject(
                  new Error(
                    deadline.aborted
                      ? `${name} passed its ${suite.deadlineMs[run.profile] / 1000} s deadline`
                      : String(abort.signal.reason),
                  ),
                ),
              ),
            ),
          ]);
          result = { suite: name, state: 'done', startedAt, endedAt: Date.now(), ...outcome };
        } catch (err) {
          // A suite that failed because a service went down under it says so first.
          const down = this.wentDown(baseline);
          const message = (err as Error).message;
          result = {
            suite: name,
            state: 'error',
            error:
              down.length && !message.includes('went down')
                ? `${down.join(', ')} went down during the run (${message})`
                : message,
            startedAt,
            endedAt: Date.now(),
            values: {},
          };
        }
        run.results.push(result);
        this.changed(run);
      }
      const failed = run.results.find((r) => r.state === 'error');
      run.state = failed || abort.signal.aborted ? 'error' : 'done';
      if (run.state === 'error')
        run.error = failed ? `${failed.suite}: ${failed.error}` : String(abort.signal.reason ?? 'stopped');
    } finally {
      clearInterval(watch);
      release();
      run.endedAt = Date.now();
      run.progress = { step: run.state === 'done' ? 'done' : `ended: ${run.error}`, fraction: 1 };
      await this.store.save(run).catch(() => undefined);
      this.changed(run);
      this.listeners.delete(run.id);
    }
  }

  /** Every KPI of the registry with its latest measurement, verdict and history, and the Go/No-Go decision. */
  kpis(now = Date.now()): KpisView {
    const newestFirst = [...this.runs].reverse();
    const kpis = KPIS.map((k) => {
      const measured = newestFirst.flatMap((run) => {
        const result = run.results.find((r) => r.suite === k.suite && r.state === 'done');
        const verdict = result && k.judge(result.values);
        return verdict ? [{ run, at: result.endedAt, ...verdict }] : [];
      });
      const latest = measured[0];
      const recent = measured.slice(0, 20).reverse();
      const { judge: _, ...definition } = k;
      return {
        ...definition,
        verdict: !latest ? 'not-run' : now - latest.at > STALE_AFTER_MS ? 'stale' : latest.pass ? 'pass' : 'fail',
        ...(latest
          ? {
              measured: latest.measured,
              at: latest.at,
              runId: latest.run.id,
              machine: machineLabel(latest.run.machine),
            }
          : {}),
        trend: recent.map((m) => m.value),
        history: recent.map((m) => ({
          at: m.at,
          runId: m.run.id,
          value: m.value,
          measured: m.measured,
          pass: m.pass,
          machine: machineLabel(m.run.machine),
        })),
      } as KpisView['kpis'][number];
    });
    const lastRun = this.runs.at(-1);
    return {
      kpis,
      passing: kpis.filter((k) => k.verdict === 'pass').length,
      total: kpis.length,
      ...decide(kpis),
      ...(lastRun ? { lastRunAt: lastRun.startedAt, lastRunId: lastRun.id } : {}),
      ...(this.current ? { running: this.current.run.id } : {}),
    };
  }
}
