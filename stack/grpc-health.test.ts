import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { grpcHealthCheck } from './grpc-health.js';

const servers: http2.Http2Server[] = [];
afterEach(async () => {
  // The check keeps its session open between calls: end them, or close() waits for them.
  await Promise.all(servers.splice(0).map((s) => closeServer(s)));
});

function closeServer(server: http2.Http2Server): Promise<void> {
  for (const session of sessionsOf.get(server) ?? []) session.destroy();
  return new Promise((r) => server.close(() => r()));
}
const sessionsOf = new WeakMap<http2.Http2Server, http2.ServerHttp2Session[]>();

/** A gRPC health server answering every Check with `status` (and grpc-status `code`), recording the request's body. */
async function healthServer(status: number | undefined, code = '0'): Promise<{ address: string; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  const server = http2.createServer();
  servers.push(server);
  sessionsOf.set(server, []);
  server.on('session', (session) => sessionsOf.get(server)!.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      expect(headers[':path']).toBe('/grpc.health.v1.Health/Check');
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': code }));
      const message = status === undefined ? Buffer.alloc(0) : Buffer.from([0x08, status]);
      const frame = Buffer.alloc(5 + message.length);
      frame.writeUInt32BE(message.length, 1);
      message.copy(frame, 5);
      stream.end(frame);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

describe('grpcHealthCheck', () => {
  it('resolves on SERVING and sends the service name as a HealthCheckRequest', async () => {
    const { address, bodies } = await healthServer(1);
    await grpcHealthCheck(address, 'temporal.api.workflowservice.v1.WorkflowService')();
    const name = 'temporal.api.workflowservice.v1.WorkflowService';
    expect(bodies[0]!.readUInt32BE(1)).toBe(name.length + 2);
    expect(bodies[0]!.subarray(5).toString('latin1')).toBe(`\x0a${String.fromCharCode(name.length)}${name}`);
  });

  it('keeps one session between calls, and connects again after a failed one', async () => {
    const server = await healthServer(1);
    const check = grpcHealthCheck(server.address, 's');
    await check();
    await check();
    expect(sessionsOf.get(servers[0]!)!.length).toBe(1);
    for (const session of sessionsOf.get(servers[0]!)!) session.destroy();
    await check().catch(() => undefined); // the dropped session may fail this one
    await check();
    expect(server.bodies.length).toBeGreaterThanOrEqual(3);
  });

  it('rejects NOT_SERVING and UNKNOWN (an empty message), naming the status', async () => {
    await expect(grpcHealthCheck((await healthServer(2)).address, 's')()).rejects.toThrow(/status 2 \(1 = SERVING\)/);
    await expect(grpcHealthCheck((await healthServer(undefined)).address, 's')()).rejects.toThrow(/status 0/);
  });

  it('rejects a gRPC error status, and a port nobody listens on', async () => {
    await expect(grpcHealthCheck((await healthServer(1, '5')).address, 's')()).rejects.toThrow(/grpc-status 5/);
    const closed = await healthServer(1);
    await closeServer(servers.pop()!);
    await expect(grpcHealthCheck(closed.address, 's')()).rejects.toThrow(/ECONNREFUSED/);
  });
});
