import { dataFeature } from '../data/feature.js';
import { defineFeature } from '../feature.js';
import { usersFeature } from '../users/feature.js';
import { AccessExplainer } from './access-explainer.js';
import explainPlugin from './plugin.js';

/** /api/explain: the access explainer (the token, the RBAC rule, RLS policies and hidden-row counts, error codes). */
export const explainFeature = defineFeature({
  name: 'explain',
  needs: ['postgres', 'postgrest'],
  create({ core, db, access, tracer, use }) {
    const explainer = new AccessExplainer({
      db,
      users: use(usersFeature).users,
      access,
      guard: use(dataFeature).guard,
      tracer,
      gatewayUrl: `http://127.0.0.1:${core.ports.gateway}`,
      postgrestUrl: `http://127.0.0.1:${core.ports.postgrest}`,
    });
    return { routes: { scope: 'admin', register: (app) => app.register(explainPlugin, { explainer }) } };
  },
});
