import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  ServiceError,
  type WorkflowClientInterceptor,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { defaultPayloadConverter, defineSearchAttributeKey } from '@temporalio/common';
import { tsToDate } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import type pg from 'pg';
import type {
  ActivityAttemptView,
  HistoryEventView,
  PendingActivityView,
  StartRegistrationView,
  WorkflowDetailView,
  WorkflowSummaryView,
} from '../api/contract.js';
import { DomainError } from '../errors.js';
import { temporalContext } from './context-stores.js';
import { REGISTRATION_WORKFLOW, type RegistrationInput, type RegistrationResult, TASK_QUEUE } from './registration.js';
import type { UserRegistrationWorkflow } from './workflows.js';

/** The tenant of a workflow, as a search attribute (registered by the dev server's start flags): lists filter on it. */
export const TENANT_SEARCH_ATTRIBUTE = 'ApprunTenantId';
const tenantKey = defineSearchAttributeKey(TENANT_SEARCH_ATTRIBUTE, 'KEYWORD');
const MAX_LISTED = 100;
/** Temporal calls give up after this: a local dev server that is up answers in milliseconds. */
const CALL_DEADLINE_MS = 5000;

// A CommonJS module whose namespace export Node's ESM loader cannot name: through its default export.
const { EventType, PendingActivityState } = proto.temporal.api.enums.v1;
type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
type Timestamp = Parameters<typeof tsToDate>[0];

/** EVENT_TYPE_ACTIVITY_TASK_SCHEDULED → ActivityTaskScheduled, as Temporal's UI names them. */
function eventName(type: number | null | undefined): string {
  const raw = EventType[type ?? 0] ?? 'EVENT_TYPE_UNSPECIFIED';
  return raw
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

const iso = (ts: Timestamp | null | undefined) => (ts ? tsToDate(ts).toISOString() : undefined);

/** The innermost failure message: an activity failure wraps the application failure that says what went wrong. */
function failureMessage(failure: proto.temporal.api.failure.v1.IFailure | null | undefined): string | undefined {
  if (!failure) return undefined;
  return failure.cause ? `${failure.message}: ${failureMessage(failure.cause)}` : (failure.message ?? undefined);
}

/** One line per event, with the activity and attempt where the event has them. */
function summarize(events: HistoryEvent[]): HistoryEventView[] {
  const activityOf = new Map<string, string>();
  return events.map((e) => {
    const view: HistoryEventView = { id: Number(e.eventId), type: eventName(e.eventType), time: iso(e.eventTime)! };
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      view.activity = scheduled.activityType?.name ?? undefined;
      activityOf.set(String(e.eventId), view.activity ?? '');
    }
    const related =
      e.activityTaskStartedEventAttributes ??
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    if (related?.scheduledEventId) view.activity = activityOf.get(String(related.scheduledEventId));
    const started = e.activityTaskStartedEventAttributes;
    if (started) view.attempt = started.attempt ?? undefined;
    const lastFailure = failureMessage(started?.lastFailure);
    const detail = lastFailure
      ? `after: ${lastFailure}`
      : failureMessage(
          e.activityTaskFailedEventAttributes?.failure ?? e.workflowExecutionFailedEventAttributes?.failure,
        );
    if (detail !== undefined) view.detail = detail;
    return view;
  });
}

export type StartRegistration = StartRegistrationView;

export interface WorkflowServiceOptions {
  address: string;
  db: pg.Pool;
  temporalUiUrl: string;
  /** The supervisor's state of the temporal service: calls fail fast, with that state, unless it is healthy. */
  temporalState: () => string | undefined;
  /** Before a workflow starts: the worker that will run it is polling (it starts on demand). */
  workerReady: () => Promise<void>;
  /** OpenTelemetry's, when it is on. */
  interceptors?: WorkflowClientInterceptor[];
}

/** The gateway's side of Temporal: start registrations, list and describe a tenant's workflows. */
export class WorkflowService {
  private constructor(
    private readonly client: Client,
    private readonly options: WorkflowServiceOptions,
  ) {}

  static async connect(options: WorkflowServiceOptions): Promise<WorkflowService> {
    const connection = await temporalContext.call(() =>
      Connection.connect({ address: options.address, connectTimeout: 5000 }),
    );
    temporalContext.add(connection.callContextStorage as AsyncLocalStorage<unknown>);
    temporalContext.release(); // connect ran the store before it was known here
    return new WorkflowService(
      new Client({ connection, namespace: 'default', interceptors: { workflow: options.interceptors ?? [] } }),
      options,
    );
  }

  /** One Temporal call: refused at once when the service is down, bounded by a deadline, its outage a 503. */
  private async temporal<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.options.temporalState();
    const unavailable = (why: string) =>
      new DomainError(
        'unavailable',
        'temporal_unavailable',
        `Temporal is ${why}; workflows wait until it is back (see the temporal service in the dashboard)`,
        { temporal: state },
      );
    if (state !== 'healthy') throw unavailable(state ?? 'not running');
    try {
      return await temporalContext.call(() => this.client.connection.withDeadline(Date.now() + CALL_DEADLINE_MS, fn));
    } catch (err) {
      // gRPC UNAVAILABLE (14) or DEADLINE_EXCEEDED (4): an outage, not a bug
      const code = (err as { cause?: { code?: number } }).cause?.code;
      if (err instanceof ServiceError && (code === 14 || code === 4))
        throw unavailable(`not answering (${err.message})`);
      throw err;
    }
  }

  async close(): Promise<void> {
    temporalContext.remove((this.client.connection as Connection).callContextStorage as AsyncLocalStorage<unknown>);
    await this.client.connection.close();
  }

  async startRegistration(
    tenantId: string,
    request: StartRegistration,
  ): Promise<{ workflowId: string; runId: string }> {
    const input: RegistrationInput = {
      email: request.email,
      name: request.name ?? request.email.split('@')[0]!,
      tenantId,
    };
    if (request.failTimes)
      Object.assign(input, { failTimes: request.failTimes, failActivity: request.failActivity ?? 'SendWelcomeEmail' });
    const workflowId = `registration-${randomUUID()}`;
    await this.options.workerReady().catch((err: Error) => {
      throw new DomainError(
        'unavailable',
        'workflow_worker_unavailable',
        `the workflow worker did not start (${err.message}); the next workflow tries again`,
      );
    });
    const handle = await this.temporal(() =>
      this.client.workflow.start<typeof UserRegistrationWorkflow>(REGISTRATION_WORKFLOW, {
        taskQueue: TASK_QUEUE,
        workflowId,
        args: [input],
        typedSearchAttributes: [{ key: tenantKey, value: tenantId }],
        memo: { email: input.email },
      }),
    );
    return { workflowId, runId: handle.firstExecutionRunId };
  }

  /** Whether a workflow of apprun's task queue is open (running, or waiting on a timer or a retry). */
  async hasOpenWorkflows(): Promise<boolean> {
    const { count } = await this.temporal(() =>
      this.client.workflow.count(`TaskQueue = '${TASK_QUEUE}' AND ExecutionStatus = 'Running'`),
    );
    return count > 0;
  }

  async list(tenantId: string): Promise<WorkflowSummaryView[]> {
    return this.temporal(async () => {
      const out: WorkflowSummaryView[] = [];
      for await (const info of this.client.workflow.list({
        query: `${TENANT_SEARCH_ATTRIBUTE} = '${tenantId}'`,
        pageSize: MAX_LISTED,
      })) {
        out.push({
          workflowId: info.workflowId,
          runId: info.runId,
          type: info.type,
          status: info.status.name,
          startTime: info.startTime.toISOString(),
          closeTime: info.closeTime?.toISOString(),
          email: typeof info.memo?.email === 'string' ? info.memo.email : undefined,
        });
        if (out.length >= MAX_LISTED) break;
      }
      return out;
    });
  }

  async get(tenantId: string, workflowId: string): Promise<WorkflowDetailView> {
    const handle = this.client.workflow.getHandle(workflowId);
    const notFound = new DomainError('not_found', 'unknown_workflow', `no workflow "${workflowId}" in your tenant`);
    const desc = await this.temporal(() => handle.describe()).catch((err: unknown) => {
      throw err instanceof WorkflowNotFoundError ? notFound : err;
    });
    // Another tenant's workflow is "not found", not "forbidden": its existence is not the caller's business.
    if (desc.typedSearchAttributes.get(tenantKey) !== tenantId) throw notFound;
    // The history (Temporal) and the attempts log (Postgres) are independent: fetched together.
    const [fetched, { rows }] = await Promise.all([
      this.temporal(() => handle.fetchHistory()),
      this.options.db.query<ActivityAttemptView>(
        `select activity, attempt, started_at as "startedAt", ended_at as "endedAt", outcome, error
         from app_private.activity_attempts where workflow_id = $1 and run_id = $2 order by started_at, attempt`,
        [workflowId, desc.runId],
      ),
    ]);
    const events = fetched.events ?? [];
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    const input = started?.input?.payloads?.[0]
      ? defaultPayloadConverter.fromPayload<RegistrationInput>(started.input.payloads[0])
      : undefined;
    const completed = events.at(-1)?.workflowExecutionCompletedEventAttributes;
    const result = completed?.result?.payloads?.[0]
      ? defaultPayloadConverter.fromPayload<RegistrationResult>(completed.result.payloads[0])
      : undefined;
    const pending: PendingActivityView[] = (desc.raw.pendingActivities ?? []).map((a) => ({
      activity: a.activityType?.name ?? '',
      state: (PendingActivityState[a.state ?? 0] ?? '').replace(/^PENDING_ACTIVITY_STATE_/, ''),
      attempt: a.attempt ?? 1,
      lastFailure: failureMessage(a.lastFailure),
      nextAttemptAt: iso(a.nextAttemptScheduleTime),
    }));
    const history = summarize(events);
    const uiPath = `/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${desc.runId}/history`;
    return {
      workflowId,
      runId: desc.runId,
      type: desc.type,
      status: desc.status.name,
      startTime: desc.startTime.toISOString(),
      closeTime: desc.closeTime?.toISOString(),
      email: input?.email,
      input,
      result,
      failure: history.filter((e) => e.type === 'WorkflowExecutionFailed').at(-1)?.detail,
      attempts: rows.map((r) => ({
        ...r,
        startedAt: new Date(r.startedAt).toISOString(),
        endedAt: r.endedAt ? new Date(r.endedAt).toISOString() : null,
      })),
      pending,
      history,
      temporalUiUrl: `${this.options.temporalUiUrl}${uiPath}`,
    };
  }
}
