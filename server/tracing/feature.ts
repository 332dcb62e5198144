import { defineFeature } from '../feature.js';
import { tenantIdOf } from '../tenancy/tenant-lookup.js';
import tracesPlugin from './traces-plugin.js';

/** /api/traces: the request log and each request's spans, from the tracer every tenant request passes. */
export const tracingFeature = defineFeature({
  name: 'tracing',
  needs: ['postgres'],
  create({ db, tracer }) {
    const tenantNames = async () =>
      new Map(
        (await db.query<{ id: string; name: string }>('select id, name from app_private.tenants')).rows.map((t) => [
          t.id,
          t.name,
        ]),
      );
    return {
      routes: {
        scope: 'admin',
        register: (app) =>
          app.register(tracesPlugin, { tracer, tenantNames, tenantIdOf: (tenant) => tenantIdOf(db, tenant) }),
      },
    };
  },
});
