// The workflows API's wire types.
import { Type } from 'typebox';
import { ACTIVITY_NAMES, MAX_ATTEMPTS } from '../../workflows/registration.js';

/** Failure injection is bounded: beyond MAX_ATTEMPTS the workflow fails, which is worth seeing too, but no further. */
export const MAX_FAIL_TIMES = 10;

export const StartRegistrationSchema = Type.Object(
  {
    email: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    failTimes: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_FAIL_TIMES,
        description: `the activity fails this many attempts first (${MAX_ATTEMPTS} attempts at most)`,
      }),
    ),
    failActivity: Type.Optional(Type.Enum(ACTIVITY_NAMES)),
  },
  { additionalProperties: false },
);

export const WorkflowStartedSchema = Type.Object({ workflowId: Type.String(), runId: Type.String() });
export const WorkflowIdParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const WorkflowSummarySchema = Type.Object({
  workflowId: Type.String(),
  runId: Type.String(),
  type: Type.String(),
  /** Temporal's status name: RUNNING, COMPLETED, FAILED, … */
  status: Type.String(),
  startTime: Type.String(),
  closeTime: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
});
export const WorkflowListSchema = Type.Object({ workflows: Type.Array(WorkflowSummarySchema) });

/** One attempt of an activity, as the activity logged it (Temporal's history keeps only the last one). */
export const ActivityAttemptSchema = Type.Object({
  activity: Type.String(),
  attempt: Type.Integer(),
  startedAt: Type.String(),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Union([Type.Enum(['completed', 'failed']), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

export const PendingActivitySchema = Type.Object({
  activity: Type.String(),
  state: Type.String(),
  attempt: Type.Integer(),
  lastFailure: Type.Optional(Type.String()),
  nextAttemptAt: Type.Optional(Type.String()),
});

export const HistoryEventSchema = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  time: Type.String(),
  activity: Type.Optional(Type.String()),
  attempt: Type.Optional(Type.Integer()),
  detail: Type.Optional(Type.String()),
});

export const WorkflowDetailSchema = Type.Object({
  ...WorkflowSummarySchema.properties,
  input: Type.Optional(Type.Unknown()),
  result: Type.Optional(Type.Unknown()),
  failure: Type.Optional(Type.String()),
  attempts: Type.Array(ActivityAttemptSchema),
  pending: Type.Array(PendingActivitySchema),
  history: Type.Array(HistoryEventSchema),
  /** This workflow in Temporal's Web UI. */
  temporalUiUrl: Type.String(),
});
