import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { type RunningApprun, startApprun } from './apprun-process.js';
import { call } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';

// OpenTelemetry out: an appliance started with OTEL_EXPORTER_OTLP_ENDPOINT exports its traces over OTLP/HTTP to a
// collector of the test's own (a plain node:http server on loopback), and points Kratos' tracing at it too.

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
}

const received: Received[] = [];
let collector: http.Server;
let run: RunningApprun;
let home: string;

/** Every span the gateway (or Temporal's interceptors, through the same provider) exported as OTLP JSON. */
function exportedSpans(): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const r of received) {
    if (!r.contentType.includes('json')) continue;
    const body = JSON.parse(r.body.toString()) as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: OtlpSpan[] }[];
      }[];
    };
    for (const rs of body.resourceSpans) {
      const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
      expect(service).toBe('apprun-gateway');
      for (const ss of rs.scopeSpans) spans.push(...ss.spans);
    }
  }
  return spans;
}

async function until<T>(what: string, fn: () => T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  collector = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        contentType: String(req.headers['content-type']),
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-otel-'));
  await fs.chmod(home, 0o755);
  run = await startApprun(home, TEST_PORT_BASES.otel, [], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
}, 180_000);

afterAll(async () => {
  await run?.stop();
  await new Promise((resolve) => collector?.close(resolve));
  if (home) await fs.rm(home, { recursive: true, force: true });
}, 60_000);

describe('OpenTelemetry out (OTEL_EXPORTER_OTLP_ENDPOINT set)', () => {
  it("exports each request's spans over OTLP/HTTP with the ids its client saw, Temporal's and Kratos' beside them", async () => {
    const gateway = run.state.gatewayUrl;
    const login = await call('POST', `${gateway}/auth/login`, {
      body: { email: 'bob@test.com', password: DEFAULT_DEV_PASSWORD },
    });
    expect(login.status).toBe(200);
    const token = login.json.access_token as string;

    // A read that continues the caller's trace.
    const traceId = randomUUID().replaceAll('-', '');
    const callerSpan = '00f067aa0ba902b7';
    const read = await call('GET', `${gateway}/data/products?select=name`, {
      token,
      headers: { traceparent: `00-${traceId}-${callerSpan}-01` },
    });
    expect(read.status).toBe(200);
    const gatewaySpan = String(read.headers.traceparent).split('-')[2]!;

    // A workflow start: Temporal's client interceptor makes its span inside the request's trace.
    const started = await call('POST', `${gateway}/workflows/registration`, {
      token,
      body: { email: `otel-${randomUUID().slice(0, 6)}@example.test` },
    });
    expect(started.status, started.text).toBe(201);
    const workflowTrace = String(started.headers.traceparent).split('-')[1]!;

    const root = await until('the read exported', () =>
      exportedSpans().find((s) => s.traceId === traceId && s.spanId === gatewaySpan),
    );
    expect(root).toMatchObject({ name: 'GET /data/products', parentSpanId: callerSpan });
    const children = exportedSpans().filter((s) => s.traceId === traceId && s.parentSpanId === gatewaySpan);
    expect(children.map((s) => s.name)).toEqual(expect.arrayContaining(['host', 'token', 'rbac', 'gate', 'postgrest']));
    const postgrest = children.find((s) => s.name === 'postgrest')!;
    const phases = exportedSpans().filter((s) => s.parentSpanId === postgrest.spanId);
    expect(phases.map((s) => s.name)).toEqual(expect.arrayContaining(['plan', 'transaction']));

    const temporal = await until("Temporal's client span", () =>
      exportedSpans().find((s) => s.traceId === workflowTrace && s.name.startsWith('StartWorkflow')),
    );
    expect(temporal.name).toContain('UserRegistration');

    // Kratos exports its own spans (OTLP/HTTP protobuf) to the same collector, as apprun-kratos.
    const kratos = await until("Kratos' spans", () =>
      received.find((r) => r.contentType.includes('protobuf') && r.body.includes('apprun-kratos')),
    );
    expect(kratos.path).toBe('/v1/traces');
  });
});
