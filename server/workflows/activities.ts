// The registration workflow's effects. Each activity is idempotent (keyed by the workflow id), so a retry or a
// replay after a worker restart never sends a second email or creates a second project. Every attempt is logged in
// app_private.activity_attempts: Temporal's history keeps only an activity's last attempt, the timeline wants all.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type pg from 'pg';
import type { ActivityName, RegistrationInput } from './registration.js';

function current() {
  const { info } = Context.current();
  return {
    workflowId: info.workflowExecution!.workflowId,
    runId: info.workflowExecution!.runId,
    attempt: info.attempt,
  };
}

/** Where the welcome mail goes: the appliance's mail catcher. */
export interface MailSender {
  send(mail: { to: string; subject: string; text: string; messageId: string }): Promise<void>;
}

export function createActivities(db: pg.Pool, mail?: MailSender) {
  /** Runs one attempt of an activity: logs it, injects a failure if asked, and records the outcome. */
  async function attempt<T>(
    activity: ActivityName,
    input: RegistrationInput,
    work: (workflowId: string) => Promise<T>,
  ): Promise<T> {
    const { workflowId, runId, attempt: n } = current();
    await db.query(
      `insert into app_private.activity_attempts (workflow_id, run_id, activity, attempt) values ($1, $2, $3, $4)
       on conflict (workflow_id, run_id, activity, attempt)
         do update set started_at = now(), ended_at = null, outcome = null, error = null`,
      [workflowId, runId, activity, n],
    );
    const finish = (outcome: 'completed' | 'failed', error: string | null) =>
      db.query(
        'update app_private.activity_attempts set ended_at = now(), outcome = $5, error = $6 where workflow_id = $1 ' +
          'and run_id = $2 and activity = $3 and attempt = $4',
        [workflowId, runId, activity, n, outcome, error],
      );
    try {
      if (input.failActivity === activity && n <= (input.failTimes ?? 0)) {
        throw ApplicationFailure.retryable(`injected failure ${n} of ${input.failTimes}`, 'InjectedFailure');
      }
      const result = await work(workflowId);
      await finish('completed', null);
      return result;
    } catch (err) {
      await finish('failed', (err as Error).message).catch(() => undefined);
      throw err;
    }
  }

  return {
    /**
     * Writes the welcome email to the outbox (the tenant's record of it) and sends it through SMTP to the mail catcher,
     * once: `mailed_at` says it went (a retry after a send but before that mark would send it again).
     */
    async SendWelcomeEmail(input: RegistrationInput): Promise<number> {
      return attempt('SendWelcomeEmail', input, async (workflowId) => {
        const subject = 'Welcome to apprun';
        const body = `Hello ${input.name},\n\nyour account ${input.email} is ready.\n\n— apprun`;
        const { rows } = await db.query<{ id: number; mailed_at: Date | null }>(
          `with inserted as (
             insert into app_private.outbox (tenant_id, to_email, subject, body, workflow_id) values ($1, $2, $3, $4, $5)
             on conflict (workflow_id) do nothing returning id, mailed_at)
           select id, mailed_at from inserted
           union all select id, mailed_at from app_private.outbox where workflow_id = $5`,
          [input.tenantId, input.email, subject, body, workflowId],
        );
        const id = Number(rows[0]!.id);
        if (mail && !rows[0]!.mailed_at) {
          await mail.send({ to: input.email, subject, text: body, messageId: `<${workflowId}@apprun.local>` });
          await db.query('update app_private.outbox set mailed_at = now() where id = $1', [id]);
        }
        return id;
      });
    },

    /** Creates the user's default project in the tenant. */
    async CreateDefaultProject(input: RegistrationInput): Promise<number> {
      return attempt('CreateDefaultProject', input, async (workflowId) => {
        const { rows } = await db.query<{ id: number }>(
          `with inserted as (
             insert into app_private.projects (tenant_id, name, owner_email, created_by_workflow) values ($1, $2, $3, $4)
             on conflict (created_by_workflow) do nothing returning id)
           select id from inserted union all select id from app_private.projects where created_by_workflow = $4`,
          [input.tenantId, `Default project (${input.email})`, input.email, workflowId],
        );
        return Number(rows[0]!.id);
      });
    },
  };
}
