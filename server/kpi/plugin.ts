import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import {
  BenchRunSchema,
  BenchRunSummarySchema,
  KpisViewSchema,
  RunIdParamsSchema,
  StartRunSchema,
} from '../api/schemas/kpi.js';
import type { BenchRuns } from './bench-runs.js';
import { buildReport } from './report.js';

const ReportQuerySchema = Type.Object(
  { format: Type.Optional(Type.Enum(['md', 'html'], { default: 'html' })) },
  { additionalProperties: false },
);

export interface KpiApiOptions {
  runs: BenchRuns;
}

/** /api/kpis and /api/bench/runs: the KPI center's verdicts and its runs, live (in the admin scope). */
const kpiApiPlugin: FastifyPluginAsyncTypebox<KpiApiOptions> = async (app, { runs }) => {
  app.get('/api/kpis', { schema: { querystring: NoQuery, response: responses({ 200: KpisViewSchema }) } }, () =>
    runs.kpis(),
  );
  // The POC report, as a download: Markdown or one self-contained HTML file.
  app.get(
    '/api/kpis/report',
    { schema: { querystring: ReportQuerySchema, response: responses({ 200: Type.String() }) } },
    (request, reply) => {
      const format = request.query.format ?? 'html';
      const report = buildReport(runs.kpis(), [...runs.all()]);
      reply
        .type(format === 'md' ? 'text/markdown; charset=utf-8' : 'text/html; charset=utf-8')
        .header('content-disposition', `attachment; filename="apprun-poc-report.${format}"`);
      return format === 'md' ? report.markdown : report.html;
    },
  );
  app.get(
    '/api/bench/runs',
    {
      schema: {
        querystring: NoQuery,
        response: responses({ 200: Type.Object({ runs: Type.Array(BenchRunSummarySchema) }) }),
      },
    },
    () => ({ runs: runs.list().reverse() }),
  );
  app.post(
    '/api/bench/runs',
    { schema: { querystring: NoQuery, body: StartRunSchema, response: responses({ 202: BenchRunSchema }) } },
    async (request, reply) => {
      const run = await runs.start(request.body.suites, request.body.profile ?? 'quick');
      return reply.code(202).send(run);
    },
  );
  app.get(
    '/api/bench/runs/:id',
    { schema: { querystring: NoQuery, params: RunIdParamsSchema, response: responses({ 200: BenchRunSchema }) } },
    (request) => runs.get(request.params.id),
  );
  // Server-sent events: the run as it changes (at most a few a second), then `end`.
  app.get(
    '/api/bench/runs/:id/events',
    {
      schema: {
        querystring: NoQuery,
        params: RunIdParamsSchema,
        response: responses({ 200: Type.String({ description: 'text/event-stream of BenchRun JSON' }) }),
      },
    },
    (request, reply) => {
      const run = runs.get(request.params.id);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      const send = (event: string, data: unknown) => out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      send('run', run);
      if (run.state !== 'running') {
        send('end', { state: run.state });
        out.end();
        return;
      }
      let pending: NodeJS.Timeout | undefined;
      const unsubscribe = runs.subscribe(run.id, (changed) => {
        if (changed.state !== 'running') {
          clearTimeout(pending);
          send('run', changed);
          send('end', { state: changed.state });
          unsubscribe();
          out.end();
          return;
        }
        pending ??= setTimeout(() => {
          pending = undefined;
          send('run', changed);
        }, 250);
      });
      request.raw.on('close', () => {
        clearTimeout(pending);
        unsubscribe();
      });
    },
  );
};

export default kpiApiPlugin;
