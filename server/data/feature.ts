import { defineFeature } from '../feature.js';
import { DataProxy } from './data-proxy.js';
import { dataFastLane } from './fast-lane.js';
import dataPlugin from './plugin.js';
import { TenantGuard } from './tenant-guard.js';

const PREFIX = '/data';

/** /data: PostgREST, tenant-scoped, with reads answered on the fast lane before Fastify. */
export const dataFeature = defineFeature({
  name: 'data',
  needs: ['postgres'],
  create({ core, db, access, gates, hostPolicy, log }) {
    const guard = new TenantGuard();
    const proxy = new DataProxy(`http://127.0.0.1:${core.ports.postgrest}`, guard, PREFIX, log);
    return {
      guard,
      /** Which api tables are tenant-scoped: read at start (and again whenever the schema changes). */
      start: () => guard.refresh(db),
      afterRestore: () => guard.refresh(db),
      routes: { scope: 'tenant', register: (app) => app.register(dataPlugin, { prefix: PREFIX, proxy }) },
      earlyHandler: dataFastLane({ policy: hostPolicy, access, gates, proxy, log }),
      stop: () => proxy.close(),
    };
  },
});
