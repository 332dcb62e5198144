// What the registration workflow, its activities and the API share. Pure data: the workflow bundle imports it.

export const TASK_QUEUE = 'apprun';
export const REGISTRATION_WORKFLOW = 'UserRegistrationWorkflow';
export const ACTIVITY_NAMES = ['SendWelcomeEmail', 'CreateDefaultProject'] as const;
export type ActivityName = (typeof ACTIVITY_NAMES)[number];

/** Attempts per activity before the workflow gives up (failure injection beyond this makes the workflow fail). */
export const MAX_ATTEMPTS = 5;

export interface RegistrationInput {
  email: string;
  name: string;
  tenantId: string;
  /** Failure injection: the activity fails its first `failTimes` attempts, so retries are visible and testable. */
  failActivity?: ActivityName;
  failTimes?: number;
}

export interface RegistrationResult {
  outboxId: number;
  projectId: number;
}
