import type { FastifyPluginAsync } from 'fastify';
import { ACTIVITY_NAMES, MAX_ATTEMPTS } from './registration.js';
import type { StartRegistration, WorkflowService } from './workflow-service.js';

export interface WorkflowsPluginOptions {
  workflows: WorkflowService;
}

/** Failure injection is bounded: beyond MAX_ATTEMPTS the workflow fails, which is worth seeing too, but no further. */
const MAX_FAIL_TIMES = 10;

/** /workflows: start a user registration, list the tenant's workflows, one workflow's timeline. */
const workflowsPlugin: FastifyPluginAsync<WorkflowsPluginOptions> = async (app, { workflows }) => {
  app.post<{ Body: StartRegistration }>(
    '/registration',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: {
            email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 },
            name: { type: 'string', minLength: 1, maxLength: 200 },
            failTimes: { type: 'integer', minimum: 0, maximum: MAX_FAIL_TIMES, description: `the activity fails this many attempts first (${MAX_ATTEMPTS} attempts at most)` },
            failActivity: { type: 'string', enum: [...ACTIVITY_NAMES] },
          },
        },
      },
    },
    async (request, reply) => reply.code(201).send(await workflows.startRegistration(request.claims!.tenant_id, request.body)),
  );

  app.get('/', async (request) => ({ workflows: await workflows.list(request.claims!.tenant_id) }));

  app.get<{ Params: { id: string } }>(
    '/:id',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 200 } } } } },
    async (request) => workflows.get(request.claims!.tenant_id, request.params.id),
  );
};

export default workflowsPlugin;
