import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import {
  DbResetRequestSchema,
  DbResetResultSchema,
  DeployFunctionsRequestSchema,
  DeployFunctionsResultSchema,
  ProjectViewSchema,
  TypesViewSchema,
} from '../api/schemas/project.js';
import type { ProjectService } from './project-service.js';

export interface ProjectPluginOptions {
  project: ProjectService;
}

/**
 * /api/project (admin scope): the project's migrations, tables with their tenant-safety verdict and rows per tenant,
 * functions and what the folder watcher did; its generated types; `db reset`; deploying its functions.
 */
const projectPlugin: FastifyPluginAsyncTypebox<ProjectPluginOptions> = async (app, { project }) => {
  app.get('/api/project', { schema: { querystring: NoQuery, response: responses({ 200: ProjectViewSchema }) } }, () =>
    project.view(),
  );
  app.get(
    '/api/project/types',
    { schema: { querystring: NoQuery, response: responses({ 200: TypesViewSchema }) } },
    async () => ({ types: await project.types() }),
  );
  app.post(
    '/api/project/db/reset',
    { schema: { querystring: NoQuery, body: DbResetRequestSchema, response: responses({ 200: DbResetResultSchema }) } },
    (request) => project.reset(request.body.keepUsers ?? false),
  );
  app.post(
    '/api/project/functions/deploy',
    {
      schema: {
        querystring: NoQuery,
        body: DeployFunctionsRequestSchema,
        response: responses({ 200: DeployFunctionsResultSchema }),
      },
    },
    (request) => project.deployFunctions({ name: request.body.name }),
  );
};

export default projectPlugin;
