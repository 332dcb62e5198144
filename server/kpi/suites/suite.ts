import type { Static } from 'typebox';
import type { CaseSchema, LiveSampleSchema, ProfileSchema } from '../../api/schemas/kpi.js';
import type { SuiteName, SuiteValues } from '../registry.js';

export type Profile = Static<typeof ProfileSchema>;
export type CaseResult = Static<typeof CaseSchema>;
export type LiveSample = Static<typeof LiveSampleSchema>;

/**
 * The KPI center's own fixture, beside any project's schema: tenant-scoped products (and the tenants and users they
 * embed) in schema apprun_kpi, which PostgREST serves as a second profile. Reads name it in Accept-Profile, writes in
 * Content-Profile.
 */
export const FIXTURE_READ = { 'accept-profile': 'apprun_kpi' } as const;
export const FIXTURE_WRITE = { 'content-profile': 'apprun_kpi' } as const;

/** The dev users of the project's config the suites act as: a tenant's admin and user, another tenant's admin. */
export interface KpiPeople {
  admin: string;
  user: string;
  otherAdmin: string;
}

/** What a suite may use: the running stack's addresses, tokens, its resource samples, and ways to report. */
export interface SuiteContext {
  profile: Profile;
  gatewayUrl: string;
  postgrestUrl: string;
  postgrestPort: number;
  /** A free loopback port for a reference server (nginx) the suite may start. */
  freePort(): Promise<number>;
  /** An access token for a dev user of the project (a real login with the dev password). */
  token(email: string): Promise<string>;
  /** Who the suites act as; throws, saying what the config lacks, when it has no such users. */
  people(): KpiPeople;
  /** The stack's memory (bytes) and CPU (% of one core) summed, from the last sample. */
  usage(): { memoryBytes: number; cpuPercent: number } | undefined;
  /** The core's resident memory now. */
  coreRssBytes(): number;
  /** Puts the services that may sleep to sleep now (those a hold keeps awake stay); returns the ones that slept. */
  sleepAll(): Promise<string[]>;
  /** Wakes the sleeping services; returns the ones it woke. */
  wakeAll(): Promise<string[]>;
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
