import http2 from 'node:http2';

/**
 * A health check through the standard gRPC health service (grpc.health.v1.Health/Check) over node:http2, over one
 * HTTP/2 session kept between checks (a failed check drops it; the next one connects again). Written here rather
 * than through @temporalio/client: loading that client blocks the core's event loop for 0.2–0.5 s, right when every
 * other service's first health checks run, and a start waits on them. Each call resolves when the server answers
 * SERVING.
 */
export function grpcHealthCheck(address: string, service: string, timeoutMs = 2000): () => Promise<void> {
  let session: http2.ClientHttp2Session | undefined;
  const name = Buffer.from(service);
  // HealthCheckRequest { string service = 1 }, in a gRPC frame: no compression, 4-byte big-endian length.
  const message = Buffer.concat([Buffer.from([0x0a, name.length]), name]);
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return () =>
    new Promise<void>((resolve, reject) => {
      if (!session || session.closed || session.destroyed) {
        session = http2.connect(`http://${address}`);
        session.on('error', () => undefined); // reported through the call below
        session.unref();
      }
      const current = session;
      const call = current.request({
        ':method': 'POST',
        ':path': '/grpc.health.v1.Health/Check',
        'content-type': 'application/grpc',
        te: 'trailers',
      });
      const fail = (err: Error) => {
        clearTimeout(timer);
        call.destroy();
        current.destroy();
        if (session === current) session = undefined;
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`no gRPC answer from ${address} in ${timeoutMs} ms`)), timeoutMs);
      const chunks: Buffer[] = [];
      let grpcStatus: string | undefined;
      call.on('response', (headers) => (grpcStatus = headers['grpc-status'] as string | undefined));
      call.on('trailers', (trailers) => (grpcStatus = (trailers['grpc-status'] as string | undefined) ?? grpcStatus));
      call.on('data', (chunk: Buffer) => chunks.push(chunk));
      call.on('error', fail);
      call.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        if (grpcStatus !== '0') return reject(new Error(`gRPC health of ${address}: grpc-status ${grpcStatus}`));
        // HealthCheckResponse { ServingStatus status = 1 }: SERVING = 1; an absent field is 0, UNKNOWN.
        const status = body.length >= 7 && body[5] === 0x08 ? body[6] : 0;
        if (status !== 1) return reject(new Error(`gRPC health status ${status} (1 = SERVING)`));
        resolve();
      });
      call.end(frame);
    });
}
