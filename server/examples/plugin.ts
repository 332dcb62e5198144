import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import { ExampleParamsSchema, ExamplesViewSchema } from '../api/schemas/examples.js';
import type { ExampleFunctions } from './example-functions.js';

/** /api/functions/examples: the example functions, listed and as modules (admin scope; a tenant deploys them). */
const examplesPlugin: FastifyPluginAsyncTypebox<{ examples: ExampleFunctions }> = async (app, { examples }) => {
  app.get(
    '/api/functions/examples',
    { schema: { querystring: NoQuery, response: responses({ 200: ExamplesViewSchema }) } },
    async () => ({ examples: await examples.list() }),
  );
  app.get(
    '/api/functions/examples/:name',
    {
      schema: {
        querystring: NoQuery,
        params: ExampleParamsSchema,
        response: responses({ 200: Type.Unknown({ description: 'the module: application/wasm' }) }),
      },
    },
    async (request, reply) => reply.type('application/wasm').send(await examples.module(request.params.name)),
  );
};

export default examplesPlugin;
