import { defineFeature } from '../feature.js';
import { workflowsFeature } from '../workflows/feature.js';
import { syncIdentities } from './identities.js';
import authRoutes from './routes.js';

/**
 * /auth: sign-up and login through Kratos, the gateway's tokens, and each tenant's RBAC policies. At start (and after
 * a restore) every app user gets a Kratos identity, so a seeded user can log in from the first request.
 */
export const authFeature = defineFeature({
  name: 'auth',
  needs: ['postgres', 'kratos'],
  create({ core, db, kratos, access, use }) {
    const workflows = use(workflowsFeature);
    const { settings, progress, devTokens } = core;
    return {
      async start() {
        const created = await syncIdentities(db, kratos, settings);
        if (created) progress({ service: 'kratos', step: `created ${created} identities for the dev users` });
      },
      afterRestore: async () => {
        await syncIdentities(db, kratos, settings);
      },
      routes: {
        scope: 'tenant',
        register: (app) =>
          app.register(authRoutes, {
            prefix: '/auth',
            db,
            kratos,
            access,
            devTokens,
            startRegistration: async (tenantId, input) => workflows.service().startRegistration(tenantId, input),
          }),
      },
    };
  },
});
