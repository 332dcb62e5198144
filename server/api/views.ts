// The dashboard contract's types: every wire type read from its route's schema, and the calls of the API (one
// interface for both transports). Types only.

import type { Static } from 'typebox';
import type { ServiceName } from '../../stack/service-identity.js';
import type * as Auth from './schemas/auth.js';
import type * as Examples from './schemas/examples.js';
import type * as Explain from './schemas/explain.js';
import type * as Functions from './schemas/functions.js';
import type * as Kpi from './schemas/kpi.js';
import type * as Mail from './schemas/mail.js';
import type * as Project from './schemas/project.js';
import type * as Snapshots from './schemas/snapshots.js';
import type * as Sql from './schemas/sql.js';
import type * as Stack from './schemas/stack.js';
import type * as Storage from './schemas/storage.js';
import type * as Traces from './schemas/traces.js';
import type * as Users from './schemas/users.js';
import type * as Workflows from './schemas/workflows.js';

// Every wire type is its route's schema (server/api/schemas/), read as a TypeScript type: written once, checked by
// the gateway on the way in and serialized by it on the way out.
export type MailQueryView = Static<typeof Mail.MailQuerySchema>;
export type MailListView = Static<typeof Mail.MailListSchema>;
export type MailSummaryView = Static<typeof Mail.MailSummarySchema>;
export type MailMessageView = Static<typeof Mail.MailMessageSchema>;
export type ServiceAction = Static<typeof Stack.ServiceActionSchema>;
export type Usage = Static<typeof Stack.UsageSchema>;
/** One service as the API shows it: the supervisor's snapshot and its sampled usage. */
export type ServiceView = Static<typeof Stack.ServiceViewSchema>;
export type StackView = Static<typeof Stack.StackViewSchema>;
export type AdmissionView = Static<typeof Stack.AdmissionViewSchema>;
export type MetricsSampleView = Static<typeof Stack.MetricsSampleSchema>;
export type MetricsView = Static<typeof Stack.MetricsViewSchema>;
export type LogsView = Static<typeof Stack.LogsViewSchema>;
export type DriverChoice = Static<typeof Stack.DriverChoiceSchema>;
/** What the Settings screen edits; saved to APPRUN_HOME/settings.json, applied at the next start. */
export type EditableSettings = Static<typeof Stack.EditableSettingsSchema>;
export type SettingsView = Static<typeof Stack.SettingsViewSchema>;
export type SnapshotView = Static<typeof Snapshots.SnapshotViewSchema>;
export type ResetResult = Static<typeof Snapshots.ResetResultSchema>;
export type FunctionView = Static<typeof Functions.FunctionViewSchema>;
export type LoginView = Static<typeof Auth.LoginViewSchema>;
export type PolicyRuleView = Static<typeof Auth.PolicyRuleSchema>;
export type WorkflowSummaryView = Static<typeof Workflows.WorkflowSummarySchema>;
export type ActivityAttemptView = Static<typeof Workflows.ActivityAttemptSchema>;
export type PendingActivityView = Static<typeof Workflows.PendingActivitySchema>;
export type HistoryEventView = Static<typeof Workflows.HistoryEventSchema>;
export type WorkflowDetailView = Static<typeof Workflows.WorkflowDetailSchema>;
export type StartRegistrationView = Static<typeof Workflows.StartRegistrationSchema>;
export type StoredObjectView = Static<typeof Storage.StoredObjectSchema>;
export type KpisView = Static<typeof Kpi.KpisViewSchema>;
export type KpiView = Static<typeof Kpi.KpiSchema>;
export type BenchRunView = Static<typeof Kpi.BenchRunSchema>;
export type BenchRunSummaryView = Static<typeof Kpi.BenchRunSummarySchema>;
export type StartBenchRun = Static<typeof Kpi.StartRunSchema>;
export type SuiteName = Static<typeof Kpi.SuiteNameSchema>;
export type ProjectView = Static<typeof Project.ProjectViewSchema>;
export type TableView = Static<typeof Project.TableViewSchema>;
export type MigrationStateView = Static<typeof Project.MigrationStateSchema>;
export type DbResetResult = Static<typeof Project.DbResetResultSchema>;
export type DeployFunctionsResult = Static<typeof Project.DeployFunctionsResultSchema>;
export type ExampleView = Static<typeof Examples.ExampleViewSchema>;
export type UserView = Static<typeof Users.UserViewSchema>;
export type UsersView = Static<typeof Users.UsersViewSchema>;
export type CreateUserView = Static<typeof Users.CreateUserSchema>;
export type UpdateUserView = Static<typeof Users.UpdateUserSchema>;
export type ActAsView = Static<typeof Users.ActAsSchema>;
export type SqlRequestView = Static<typeof Sql.SqlBodySchema>;
export type SqlResultView = Static<typeof Sql.SqlResultSchema>;
export type TracesQueryView = Static<typeof Traces.TracesQuerySchema>;
export type TracesView = Static<typeof Traces.TracesViewSchema>;
export type TraceSummaryView = Static<typeof Traces.TraceSummarySchema>;
export type TraceDetailView = Static<typeof Traces.TraceDetailSchema>;
export type SpanView = Static<typeof Traces.SpanSchema>;
export type ExplainRequestView = Static<typeof Explain.ExplainBodySchema>;
export type ExplanationView = Static<typeof Explain.ExplanationSchema>;

/** What the data API answered a browse: the rows, and the total PostgREST counted (Content-Range). */
export interface DataPageView {
  rows: Record<string, unknown>[];
  total?: number;
}

/** What the dashboard makes of an invocation (the route answers the function's own bytes). */
export interface InvocationView {
  ok: boolean;
  status: number;
  /** The function's output, or the failure's message. */
  output: string;
  error?: string;
  timings?: { compileMs: number; instantiateMs: number; runMs: number };
}

/** The dashboard's calls. Tenant features (functions) take the signed-in user's access token. */
export interface ApprunApi {
  stack(): Promise<StackView>;
  metrics(since?: number): Promise<MetricsView>;
  logs(service: ServiceName, tail: number): Promise<LogsView>;
  control(service: ServiceName, action: ServiceAction): Promise<ServiceView>;
  settings(): Promise<SettingsView>;
  saveSettings(settings: EditableSettings): Promise<SettingsView>;
  snapshots(): Promise<SnapshotView[]>;
  /** One checkpoint of the whole stack; named by the time when no name is given. */
  saveSnapshot(name?: string): Promise<SnapshotView>;
  /** Only the services whose data changed since are restarted, unless `full`. */
  restoreSnapshot(name: string, full?: boolean): Promise<SnapshotView>;
  deleteSnapshot(name: string): Promise<void>;
  /** Back to migrations + seed; keepUsers carries the users who signed up over. */
  reset(keepUsers: boolean): Promise<ResetResult>;
  login(email: string, password: string): Promise<LoginView>;
  /** The signed-in tenant admin's tenant's RBAC rules. */
  policies(token: string): Promise<PolicyRuleView[]>;
  /** Replaces them (the admin role must keep GET and PUT on /auth/policies). */
  savePolicies(token: string, rules: PolicyRuleView[]): Promise<PolicyRuleView[]>;
  functions(token: string): Promise<FunctionView[]>;
  deployFunction(token: string, name: string, module: Uint8Array, manifest?: string): Promise<FunctionView>;
  invokeFunction(token: string, name: string, input: string): Promise<InvocationView>;
  deleteFunction(token: string, name: string): Promise<void>;
  workflows(token: string): Promise<WorkflowSummaryView[]>;
  workflow(token: string, workflowId: string): Promise<WorkflowDetailView>;
  startRegistration(token: string, request: StartRegistrationView): Promise<{ workflowId: string; runId: string }>;
  /** The mail catcher: what it caught (newest first, filtered; `wait` seconds for a first match), one message, all gone. */
  mail(query?: MailQueryView): Promise<MailListView>;
  mailMessage(id: string): Promise<MailMessageView>;
  clearMail(): Promise<{ cleared: number }>;
  objects(token: string, prefix: string): Promise<StoredObjectView[]>;
  putObject(token: string, key: string, data: Uint8Array, contentType: string): Promise<StoredObjectView>;
  getObject(token: string, key: string): Promise<{ contentType: string; data: Uint8Array }>;
  presignObject(token: string, key: string, seconds: number): Promise<{ url: string; expiresAt: string }>;
  deleteObject(token: string, key: string): Promise<void>;
  kpis(): Promise<KpisView>;
  benchRuns(): Promise<BenchRunSummaryView[]>;
  benchRun(id: string): Promise<BenchRunView>;
  startBenchRun(request: StartBenchRun): Promise<BenchRunView>;
  /** The POC report built from the stored runs. */
  report(format: 'md' | 'html'): Promise<string>;
  /** The project: migrations, tables with their tenant-safety verdict and rows per tenant, functions, what changed. */
  project(): Promise<ProjectView>;
  /** The Database type of the project's schema, for @supabase/postgrest-js. */
  projectTypes(): Promise<string>;
  /** The database back to the project's migrations and seed. */
  resetDatabase(keepUsers: boolean): Promise<DbResetResult>;
  /** Builds and deploys the project's functions (one by name, or those that changed). */
  deployFunctions(name?: string): Promise<DeployFunctionsResult>;
  /** apprun's built example functions, and one's module (to deploy as a tenant). */
  examples(): Promise<ExampleView[]>;
  exampleModule(name: string): Promise<Uint8Array>;
  /** Every tenant's users (or one tenant's, by id or name), with their state. */
  users(tenant?: string): Promise<UsersView>;
  createUser(user: CreateUserView): Promise<UserView>;
  updateUser(id: string, change: UpdateUserView): Promise<UserView>;
  deleteUser(id: string): Promise<void>;
  /** A token to act as the user on the tenant screens, minted for the admin. */
  actAs(id: string): Promise<ActAsView>;
  /** One read-only statement as a user (or across tenants), rolled back. */
  sql(request: SqlRequestView): Promise<SqlResultView>;
  /** The last requests through the gateway, newest first, filtered. */
  traces(query?: TracesQueryView): Promise<TracesView>;
  /** One kept request's spans. */
  trace(traceId: string): Promise<TraceDetailView>;
  /** Tracing turned off or on until the next start (benchmarks compare both). */
  setTracing(enabled: boolean): Promise<{ enabled: boolean }>;
  /** Why a request (as a user, or a kept one) got what it got; nothing is changed. */
  explain(request: ExplainRequestView): Promise<ExplanationView>;
  /**
   * The data API as a user: `path` is PostgREST's (`notes?select=*&order=id.desc`); GET answers a page with the
   * total, a write answers the rows it touched.
   */
  data(
    token: string,
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: Record<string, unknown>,
  ): Promise<DataPageView>;
}
