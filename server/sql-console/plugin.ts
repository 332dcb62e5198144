import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import { SqlBodySchema, SqlResultSchema } from '../api/schemas/sql.js';
import type { SqlConsole } from './sql-console.js';

/** POST /api/sql: one read-only statement as a chosen user (or every tenant, said so), rolled back (admin scope). */
const sqlConsolePlugin: FastifyPluginAsyncTypebox<{ console: SqlConsole }> = async (app, { console }) => {
  app.post(
    '/api/sql',
    {
      bodyLimit: 128 * 1024,
      schema: { querystring: NoQuery, body: SqlBodySchema, response: responses({ 200: SqlResultSchema }) },
    },
    (request) => console.run(request.body),
  );
};

export default sqlConsolePlugin;
