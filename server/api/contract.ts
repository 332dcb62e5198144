// The one typed contract between the dashboard and the core, with two transports: HTTP (web mode, /api/*) and
// Electron IPC (the preload relays the channels below, and nothing else). Safe to import anywhere: types (views.ts),
// pure data, and the HTTP client (http-api.ts, fetch only).

export { SERVICE_NAMES, SERVICE_STATES, type ServiceName, type ServiceState } from '../../stack/service-identity.js';
/** The registration workflow's activities, in the order it runs them (pure data, shared with the workflow bundle). */
export { ACTIVITY_NAMES, type ActivityName } from '../workflows/registration.js';
/** The contract over HTTP: the one client of /api/* (and the tenant routes the dashboard calls). */
export { ApiCallError, createHttpApi } from './http-api.js';
/** RBAC rules as text (the Settings editor, a project's policies.csv): pure data and parsing. */
export { formatPolicies, type PolicyRule, PolicyTextError, parsePolicies } from './policy-text.js';
export { DECISION_LABELS, SUITE_NAMES } from './schemas/kpi.js';
export type * from './views.js';

import { createHttpApi } from './http-api.js';
import type { ApprunApi } from './views.js';

/** IPC channel per API method; the preload exposes exactly these. */
export const IPC_CHANNELS: { readonly [K in keyof ApprunApi]: `apprun:${string}` } = {
  stack: 'apprun:stack',
  metrics: 'apprun:metrics',
  logs: 'apprun:logs',
  control: 'apprun:control',
  settings: 'apprun:settings',
  saveSettings: 'apprun:save-settings',
  snapshots: 'apprun:snapshots',
  saveSnapshot: 'apprun:save-snapshot',
  restoreSnapshot: 'apprun:restore-snapshot',
  deleteSnapshot: 'apprun:delete-snapshot',
  reset: 'apprun:reset',
  login: 'apprun:login',
  policies: 'apprun:policies',
  savePolicies: 'apprun:save-policies',
  functions: 'apprun:functions',
  deployFunction: 'apprun:deploy-function',
  invokeFunction: 'apprun:invoke-function',
  deleteFunction: 'apprun:delete-function',
  workflows: 'apprun:workflows',
  workflow: 'apprun:workflow',
  startRegistration: 'apprun:start-registration',
  objects: 'apprun:objects',
  putObject: 'apprun:put-object',
  getObject: 'apprun:get-object',
  presignObject: 'apprun:presign-object',
  deleteObject: 'apprun:delete-object',
  kpis: 'apprun:kpis',
  benchRuns: 'apprun:bench-runs',
  benchRun: 'apprun:bench-run',
  startBenchRun: 'apprun:start-bench-run',
  report: 'apprun:report',
  project: 'apprun:project',
  projectTypes: 'apprun:project-types',
  resetDatabase: 'apprun:reset-database',
  deployFunctions: 'apprun:deploy-functions',
  examples: 'apprun:examples',
  exampleModule: 'apprun:example-module',
  users: 'apprun:users',
  createUser: 'apprun:create-user',
  updateUser: 'apprun:update-user',
  deleteUser: 'apprun:delete-user',
  actAs: 'apprun:act-as',
  sql: 'apprun:sql',
  traces: 'apprun:traces',
  trace: 'apprun:trace',
  setTracing: 'apprun:set-tracing',
  explain: 'apprun:explain',
  mail: 'apprun:mail',
  mailMessage: 'apprun:mail-message',
  clearMail: 'apprun:clear-mail',
  data: 'apprun:data',
};

/**
 * The contract for a caller holding the per-run admin token: the desktop shell, the CLI, benchmarks and tests. The
 * one admin client: nothing else speaks to /api/* by hand.
 */
export function adminApi(
  core: { gatewayUrl: string; adminToken: string },
  options: { fetchImpl?: typeof fetch; timeoutMs?: number } = {},
): ApprunApi {
  return createHttpApi(core.gatewayUrl, { 'x-apprun-admin-token': core.adminToken }, options);
}
