import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import {
  StartRegistrationSchema,
  WorkflowDetailSchema,
  WorkflowIdParamsSchema,
  WorkflowListSchema,
  WorkflowStartedSchema,
} from '../api/schemas/workflows.js';
import { inTraceContext } from '../tracing/tracer.js';
import type { WorkflowService } from './workflow-service.js';

export interface WorkflowsPluginOptions {
  /** Connected at start, beside the routes' registration: read per request. */
  workflows: () => WorkflowService;
}

/** /workflows: start a user registration, list the tenant's workflows, one workflow's timeline. */
const workflowsPlugin: FastifyPluginAsyncTypebox<WorkflowsPluginOptions> = async (app, { workflows }) => {
  // Every route here calls Temporal, and is admitted by its gate first.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, upstream: 'temporal' };
  });
  app.post(
    '/registration',
    {
      schema: {
        querystring: NoQuery,
        body: StartRegistrationSchema,
        response: responses({ 201: WorkflowStartedSchema }),
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await inTraceContext(request.raw, () =>
            workflows().startRegistration(request.claims!.tenant_id, request.body),
          ),
        ),
  );

  app.get(
    '/',
    { schema: { querystring: NoQuery, response: responses({ 200: WorkflowListSchema }) } },
    async (request) => ({
      workflows: await workflows().list(request.claims!.tenant_id),
    }),
  );

  app.get(
    '/:id',
    {
      schema: {
        params: WorkflowIdParamsSchema,
        querystring: NoQuery,
        response: responses({ 200: WorkflowDetailSchema }),
      },
    },
    async (request) => workflows().get(request.claims!.tenant_id, request.params.id),
  );
};

export default workflowsPlugin;
