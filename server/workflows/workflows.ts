// Workflow code: deterministic, no I/O (bundled at build time and run in Temporal's sandbox). The effects live in
// activities.ts; Temporal retries a failed activity with backoff and keeps the workflow's progress across restarts.
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from './activities.js';
import { MAX_ATTEMPTS, type RegistrationInput, type RegistrationResult } from './registration.js';

const { SendWelcomeEmail, CreateDefaultProject } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: MAX_ATTEMPTS,
  },
});

/** A new user: the welcome email goes to the outbox, then the tenant gets the user's default project. */
export async function UserRegistrationWorkflow(input: RegistrationInput): Promise<RegistrationResult> {
  const outboxId = await SendWelcomeEmail(input);
  const projectId = await CreateDefaultProject(input);
  return { outboxId, projectId };
}
