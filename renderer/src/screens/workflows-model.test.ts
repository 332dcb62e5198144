import { describe, expect, it } from 'vitest';
import type { ActivityAttemptView, PendingActivityView } from '../../../server/api/contract';
import { registrationRequest, statusTone, timeline } from './workflows-model';

const attempt = (
  activity: string,
  n: number,
  outcome: ActivityAttemptView['outcome'],
  error: string | null = null,
): ActivityAttemptView => ({
  activity,
  attempt: n,
  startedAt: `2026-01-01T10:00:0${n}.000Z`,
  endedAt: outcome ? `2026-01-01T10:00:0${n}.500Z` : null,
  outcome,
  error,
});

describe('timeline', () => {
  it('lists both registration activities in the order the workflow runs them, even before they start', () => {
    expect(timeline({ attempts: [], pending: [] })).toEqual([
      { activity: 'SendWelcomeEmail', summary: 'not started', attempts: [] },
      { activity: 'CreateDefaultProject', summary: 'not started', attempts: [] },
    ]);
  });

  it('groups the attempts by activity, sorted by attempt number, whatever order the log gave', () => {
    const attempts = [
      attempt('CreateDefaultProject', 1, 'completed'),
      attempt('SendWelcomeEmail', 3, 'completed'),
      attempt('SendWelcomeEmail', 1, 'failed', 'injected failure 1 of 2'),
      attempt('SendWelcomeEmail', 2, 'failed', 'injected failure 2 of 2'),
    ];
    const [email, project] = timeline({ attempts, pending: [] });
    expect(email!.summary).toBe('3 attempts');
    expect(email!.attempts.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
      [1, 'failed', 'injected failure 1 of 2'],
      [2, 'failed', 'injected failure 2 of 2'],
      [3, 'completed', null],
    ]);
    expect(project!.summary).toBe('1 attempt');
  });

  it('keeps the latest line of an attempt logged twice (started, then ended)', () => {
    const [email] = timeline({
      attempts: [attempt('SendWelcomeEmail', 1, null), attempt('SendWelcomeEmail', 1, 'completed')],
      pending: [],
    });
    expect(email!.attempts).toHaveLength(1);
    expect(email!.attempts[0]!.outcome).toBe('completed');
    expect(email!.summary).toBe('1 attempt');
  });

  it('shows the retry Temporal scheduled, with its last failure, only when it has a time', () => {
    const pending: PendingActivityView[] = [
      {
        activity: 'SendWelcomeEmail',
        state: 'SCHEDULED',
        attempt: 2,
        lastFailure: 'injected failure 1 of 3',
        nextAttemptAt: '2026-01-01T10:00:02.000Z',
      },
      { activity: 'CreateDefaultProject', state: 'STARTED', attempt: 1 },
    ];
    const [email, project] = timeline({
      attempts: [attempt('SendWelcomeEmail', 1, 'failed', 'injected failure 1 of 3')],
      pending,
    });
    expect(email!.retry).toEqual({
      attempt: 2,
      at: '2026-01-01T10:00:02.000Z',
      lastFailure: 'injected failure 1 of 3',
    });
    expect(project!.retry).toBeUndefined();
  });

  it('keeps an activity the workflow does not name, after its own', () => {
    const entries = timeline({
      attempts: [attempt('NotifyAdmin', 1, 'completed'), attempt('SendWelcomeEmail', 1, 'completed')],
      pending: [],
    });
    expect(entries.map((e) => [e.activity, e.summary])).toEqual([
      ['SendWelcomeEmail', '1 attempt'],
      ['CreateDefaultProject', 'not started'],
      ['NotifyAdmin', '1 attempt'],
    ]);
  });
});

describe('statusTone', () => {
  it('colours a Temporal status: completed green, running amber, failed or timed out red, the rest grey', () => {
    expect(statusTone('COMPLETED')).toBe('healthy');
    expect(statusTone('RUNNING')).toBe('starting');
    expect(statusTone('FAILED')).toBe('failed');
    expect(statusTone('TIMED_OUT')).toBe('failed');
    expect(statusTone('TERMINATED')).toBe('stopped');
    expect(statusTone('CANCELED')).toBe('stopped');
  });
});

describe('registrationRequest', () => {
  it('sends failure injection only when attempts are to fail', () => {
    expect(registrationRequest('new@test.com', 0, 'CreateDefaultProject')).toEqual({ email: 'new@test.com' });
    expect(registrationRequest('new@test.com', 2, 'CreateDefaultProject')).toEqual({
      email: 'new@test.com',
      failTimes: 2,
      failActivity: 'CreateDefaultProject',
    });
  });

  it('ignores a negative count and trims the email', () => {
    expect(registrationRequest('  new@test.com ', -1, 'SendWelcomeEmail')).toEqual({ email: 'new@test.com' });
  });
});
