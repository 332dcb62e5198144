import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NoQuery, responses } from '../api/schemas/common.js';
import { ExplainBodySchema, ExplanationSchema } from '../api/schemas/explain.js';
import type { AccessExplainer } from './access-explainer.js';

/** POST /api/explain: why a request (as a user, or a kept one) got what it got; nothing is changed (admin scope). */
const explainPlugin: FastifyPluginAsyncTypebox<{ explainer: AccessExplainer }> = async (app, { explainer }) => {
  app.post(
    '/api/explain',
    {
      bodyLimit: 256 * 1024,
      schema: { querystring: NoQuery, body: ExplainBodySchema, response: responses({ 200: ExplanationSchema }) },
    },
    (request) => explainer.explain(request.body),
  );
};

export default explainPlugin;
