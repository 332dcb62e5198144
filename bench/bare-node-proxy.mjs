// The Node floor for the gateway hop (DESIGN.md's "bare Node proxy"): node:http in front of PostgREST through an
// undici keep-alive pool, with nothing else on its event loop: no auth, no tenant pin, no admission. bench:data runs
// it beside the gateway, so the report shows how much of the hop is Node itself and how much is the gateway.
// Usage: node bench/bare-node-proxy.mjs <port> <postgrest origin>; prints "listening" once it accepts connections.
import http from 'node:http';
import { Pool } from 'undici';

const [port, origin] = process.argv.slice(2);
const pool = new Pool(origin, { connections: 64 });

http
  .createServer(async (req, res) => {
    try {
      const upstream = await pool.request({
        method: req.method,
        path: req.url.replace(/^\/data/, ''),
        headers: { authorization: req.headers.authorization ?? '', accept: req.headers.accept ?? '*/*' },
      });
      const body = Buffer.from(await upstream.body.arrayBuffer());
      res.writeHead(upstream.statusCode, {
        'content-type': upstream.headers['content-type'] ?? 'application/json',
        'content-length': body.byteLength,
      });
      res.end(body);
    } catch {
      res.writeHead(502).end();
    }
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('listening\n'));
