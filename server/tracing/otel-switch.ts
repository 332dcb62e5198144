// Whether OpenTelemetry is on (OTEL_EXPORTER_OTLP_ENDPOINT, the standard variable): the one place that asks, so
// nothing of OpenTelemetry is imported when it is off.
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export const otelEndpoint = (): string | undefined => process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;

export interface TemporalInterceptors {
  client: WorkflowClientInterceptor[];
  activity: ActivityInterceptorsFactory[];
}

/** Temporal's OpenTelemetry interceptors for the client and the worker's activities; none when it is off. */
export async function temporalInterceptors(): Promise<TemporalInterceptors | undefined> {
  if (!otelEndpoint()) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor, OpenTelemetryActivityInboundInterceptor } = await import(
    '@temporalio/interceptors-opentelemetry'
  );
  return {
    client: [new OpenTelemetryWorkflowClientInterceptor()],
    activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })],
  };
}
