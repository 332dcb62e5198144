// `apprun mcp`: a Model Context Protocol server over stdio for the running project, so a coding agent sees the local
// backend as the developer does: its services, tables and their tenant-safety verdicts, data read as a user (RLS and
// RBAC apply), logs, explanations, the mail caught, KPI runs, and a migration applied with the tenant-safety check.
// For local development only: it binds nothing, and talks to one appliance through its admin API.
import fs from 'node:fs/promises';
import path from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { SERVICE_NAMES } from '../../stack/service-identity.js';
import type { ApiCallError } from '../api/http-api.js';
import { SUITE_NAMES } from '../api/schemas/kpi.js';
import type { ApprunApi } from '../api/views.js';
import { newMigrationName } from '../project/migrations.js';
import { dataUrl } from './data-path.js';

export interface McpOptions {
  api: ApprunApi;
  gatewayUrl: string;
  version: string;
  /** How long apply_migration and run_kpis wait for their outcome. */
  migrationWaitMs?: number;
  kpiWaitMs?: number;
}

const text = (value: unknown) => ({
  content: [{ type: 'text' as const, text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) }],
});
const refuse = (reason: string): never => {
  throw new McpError(ErrorCode.InvalidParams, reason);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createMcpServer(o: McpOptions): McpServer {
  const { api } = o;
  const server = new McpServer(
    { name: 'apprun', version: o.version },
    {
      instructions:
        'apprun, the local backend of this project (for local development only: never point it at production). ' +
        'Read the schema with list_tables, data as a user with read_data (row-level security applies), why a ' +
        'request got what it got with explain; change the schema only with apply_migration.',
    },
  );

  server.registerTool(
    'status',
    {
      description: 'The local stack: each service with its state, health, memory and port; the mail catcher.',
      annotations: { readOnlyHint: true },
    },
    async () => {
      const stack = await api.stack();
      return text(stack);
    },
  );

  server.registerTool(
    'list_tables',
    {
      description:
        'The tables and views the data API exposes (schema api), each with its tenant-safety verdict (safe, shared, ' +
        'unsafe, private), the problems and their fixes, and rows per tenant; and the migrations with their state.',
      annotations: { readOnlyHint: true },
    },
    async () => {
      const project = await api.project();
      return text({ project: project.name, tables: project.tables, migrations: project.migrations });
    },
  );

  server.registerTool(
    'read_data',
    {
      description:
        'A read through the gateway as a user (their tenant, role, RBAC and row-level security apply), e.g. as ' +
        '"alice@test.com", path "/products?select=name&order=name". Reads only.',
      inputSchema: {
        as: z.string().min(1).max(254).describe("the user's email"),
        path: z.string().min(1).max(2000).describe('the part after /data: /TABLE?query'),
        method: z.string().optional().describe('GET only: read_data never writes'),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ as, path: dataPath, method }) => {
      if (method !== undefined && method.toUpperCase() !== 'GET')
        refuse(
          `read_data only reads (GET), not ${method}: change data through your app, the schema with apply_migration`,
        );
      const target = dataUrl(o.gatewayUrl, dataPath);
      if ('refused' in target) return refuse(target.refused);
      const users = await api.users();
      const user = users.users.find((u) => u.email.toLowerCase() === as.toLowerCase());
      if (!user) return refuse(`no user ${as}; the users are: ${users.users.map((u) => u.email).join(', ')}`);
      const { access_token: token } = await api.actAs(user.id);
      // The path was checked to stay under /data; the data API's own client reads it, as the dashboard does.
      return api.data(token, 'GET', dataPath).then(
        (page) => text(page.rows),
        (err: ApiCallError) => ({ ...text(`HTTP ${err.status} ${err.code}: ${err.message}`), isError: true }),
      );
    },
  );

  server.registerTool(
    'explain',
    {
      description:
        'Why a request gets what it gets as a user (401, 403, rows hidden by row-level security, an error): the ' +
        'token, the RBAC rule, the policies and the hidden-row counts. Nothing is changed (a write is rolled back).',
      inputSchema: {
        as: z.string().min(1).max(254),
        method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']),
        path: z.string().min(1).max(2000).describe('the gateway path, e.g. /data/products?select=name'),
      },
      annotations: { readOnlyHint: true },
    },
    async ({ as, method, path: requestPath }) => text(await api.explain({ as, method, path: requestPath })),
  );

  server.registerTool(
    'logs',
    {
      description: "A service's last log lines.",
      inputSchema: { service: z.enum(SERVICE_NAMES), lines: z.number().int().min(1).max(1000).default(100) },
      annotations: { readOnlyHint: true },
    },
    async ({ service, lines }) => text((await api.logs(service, lines)).lines.join('\n')),
  );

  server.registerTool(
    'mail',
    {
      description: 'The mail the local mail catcher caught (newest first), with the codes and links in each.',
      inputSchema: { to: z.string().max(254).optional(), limit: z.number().int().min(1).max(20).default(5) },
      annotations: { readOnlyHint: true },
    },
    async ({ to, limit }) => {
      const list = await api.mail({ to, limit });
      return text(await Promise.all(list.messages.map((m) => api.mailMessage(m.id))));
    },
  );

  server.registerTool(
    'apply_migration',
    {
      description:
        'Writes apprun/migrations/<UTC timestamp>_<name>.sql in the project and waits until apprun applied it, with ' +
        'the tenant-safety check; a refused migration is removed again (it left nothing behind) and its reason said.',
      inputSchema: {
        name: z
          .string()
          .regex(/^[a-z0-9_]{1,80}$/)
          .describe('lower-case letters, digits, _ (e.g. add_notes)'),
        sql: z.string().min(1).max(200_000),
      },
    },
    async ({ name, sql }) => {
      const project = await api.project();
      if (project.builtIn) refuse('apprun runs its built-in demo here, which has no project folder: `apprun init` one');
      const file = newMigrationName(name);
      const target = path.join(project.dir, 'migrations', file);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.writeFile(target, sql.endsWith('\n') ? sql : `${sql}\n`, { flag: 'wx' });
      const deadline = Date.now() + (o.migrationWaitMs ?? 60_000);
      while (Date.now() < deadline) {
        const state = (await api.project()).migrations.find((m) => m.name === file);
        if (state?.state === 'applied') return text(`applied ${file}`);
        if (state?.state === 'failed') {
          await fs.rm(target, { force: true });
          return refuse(`refused, and removed again: ${state.error ?? 'no reason given'}`);
        }
        await sleep(250);
      }
      return { ...text(`${file} is written but not applied yet: see list_tables for its state`), isError: true };
    },
  );

  server.registerTool(
    'run_kpis',
    {
      description: 'Runs KPI suites of the KPI center on the local stack and answers their verdicts (minutes).',
      inputSchema: { suites: z.array(z.enum(SUITE_NAMES)).min(1).max(SUITE_NAMES.length) },
    },
    async ({ suites }) => {
      let run = await api.startBenchRun({ suites: [...new Set(suites)] });
      const deadline = Date.now() + (o.kpiWaitMs ?? 15 * 60_000);
      while (run.state === 'running' && Date.now() < deadline) {
        await sleep(1000);
        run = await api.benchRun(run.id);
      }
      if (run.state === 'running') return { ...text(`run ${run.id} is still running`), isError: true };
      if (run.state === 'error') return { ...text(`run ${run.id} failed: ${run.error}`), isError: true };
      const kpis = (await api.kpis()).kpis.filter((k) => (suites as string[]).includes(k.suite));
      return text({ run: run.id, kpis: kpis.map((k) => ({ name: k.name, verdict: k.verdict, target: k.target })) });
    },
  );

  return server;
}
