import type { Static } from 'typebox';
import type { CaseSchema, LiveSampleSchema, ProfileSchema } from '../../api/schemas/kpi.js';
import type { SuiteName, SuiteValues } from '../registry.js';

export type Profile = Static<typeof ProfileSchema>;
export type CaseResult = Static<typeof CaseSchema>;
export type LiveSample = Static<typeof LiveSampleSchema>;

/** What a suite may use: the running stack's addresses, tokens, its resource samples, and ways to report. */
export interface SuiteContext {
  profile: Profile;
  gatewayUrl: string;
  postgrestUrl: string;
  postgrestPort: number;
  /** A free loopback port for a reference server (nginx) the suite may start. */
  freePort(): Promise<number>;
  /** An access token for a seeded user (a real login with the dev password). */
  token(email: string): Promise<string>;
  /** The stack's memory (bytes) and CPU (% of one core) summed, from the last sample. */
  usage(): { memoryBytes: number; cpuPercent: number } | undefined;
  /** The core's resident memory now. */
  coreRssBytes(): number;
  /** The core's own starts, newest last. */
  starts(): Promise<{ cold: boolean; ms: number; at: number }[]>;
  progress(step: string, fraction: number): void;
  sample(sample: Omit<LiveSample, 'suite' | 'at'>): void;
  /** Aborted when the run must end (a service it needs went away, the core stops). */
  signal: AbortSignal;
}

export interface SuiteOutcome {
  values: SuiteValues;
  cases?: CaseResult[];
  timeline?: string[];
}

export interface Suite {
  name: SuiteName;
  /** A bound on its run time per profile, a hang detector (the run ends as error past it). */
  deadlineMs: Record<Profile, number>;
  run(ctx: SuiteContext): Promise<SuiteOutcome>;
}

/** Fails the suite with the reason when the run was aborted. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error(String(signal.reason ?? 'the run was stopped'));
}
