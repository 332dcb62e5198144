import { defineFeature } from '../feature.js';
import { tenantIdOf } from '../tenancy/tenant-lookup.js';
import { otelEndpoint } from './otel-switch.js';
import type { OtlpExport } from './otlp-export.js';
import tracesPlugin from './traces-plugin.js';

/**
 * /api/traces: the request log and each request's spans, from the tracer every tenant request passes; and, when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, every trace exported over OTLP/HTTP (the exporter is loaded only then).
 */
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
    let exporting: OtlpExport | undefined;
    return {
      async start() {
        if (!otelEndpoint()) return;
        const { startOtlpExport } = await import('./otlp-export.js');
        exporting = startOtlpExport(tracer);
      },
      async stop() {
        await exporting?.stop();
      },
      routes: {
        scope: 'admin',
        register: (app) =>
          app.register(tracesPlugin, { tracer, tenantNames, tenantIdOf: (tenant) => tenantIdOf(db, tenant) }),
      },
    };
  },
});
