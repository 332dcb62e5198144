import {
  ACTIVITY_NAMES,
  type ActivityAttemptView,
  type ActivityName,
  type StartRegistrationView,
  type WorkflowDetailView,
} from '../../../server/api/contract';

export interface TimelineEntry {
  activity: string;
  /** "not started", "1 attempt", "3 attempts". */
  summary: string;
  /** By attempt number; one entry per attempt. */
  attempts: ActivityAttemptView[];
  /** The retry Temporal has scheduled, when it has. */
  retry?: { attempt: number; at: string; lastFailure?: string };
}

/**
 * Each activity's attempts: the workflow's own activities first, in the order it runs them (shown even before they
 * start), then any other activity the log names, so nothing logged is hidden.
 */
export function timeline(detail: Pick<WorkflowDetailView, 'attempts' | 'pending'>): TimelineEntry[] {
  const byActivity = new Map<string, Map<number, ActivityAttemptView>>(ACTIVITY_NAMES.map((a) => [a, new Map()]));
  for (const a of detail.attempts) {
    if (!byActivity.has(a.activity)) byActivity.set(a.activity, new Map());
    // An attempt logged again (its end after its start) replaces the earlier line.
    byActivity.get(a.activity)!.set(a.attempt, a);
  }
  return [...byActivity].map(([activity, byAttempt]) => {
    const attempts = [...byAttempt.values()].sort((x, y) => x.attempt - y.attempt);
    const pending = detail.pending.find((p) => p.activity === activity);
    return {
      activity,
      summary: attempts.length === 0 ? 'not started' : `${attempts.length} attempt${attempts.length > 1 ? 's' : ''}`,
      attempts,
      ...(pending?.nextAttemptAt
        ? {
            retry: {
              attempt: pending.attempt,
              at: pending.nextAttemptAt,
              ...(pending.lastFailure ? { lastFailure: pending.lastFailure } : {}),
            },
          }
        : {}),
    };
  });
}

/** The badge colour of a Temporal status: done, running, failed, or anything else (terminated, cancelled, …). */
export function statusTone(status: string): 'healthy' | 'starting' | 'failed' | 'stopped' {
  if (status === 'COMPLETED') return 'healthy';
  if (status === 'RUNNING') return 'starting';
  if (status === 'FAILED' || status === 'TIMED_OUT') return 'failed';
  return 'stopped';
}

/** The start request: failure injection only when some attempts are to fail. */
export function registrationRequest(
  email: string,
  failTimes: number,
  failActivity: ActivityName,
): StartRegistrationView {
  return { email: email.trim(), ...(failTimes > 0 ? { failTimes, failActivity } : {}) };
}
