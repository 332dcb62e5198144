import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { openLinks, parseLink } from './port-links.js';

describe('port links', () => {
  it('parse PORT=HOST:PORT and refuse anything else, naming it', () => {
    expect(parseLink('5432=apprun-db-rw:5432')).toEqual({ port: 5432, host: 'apprun-db-rw', targetPort: 5432 });
    for (const bad of ['5432', '5432=db', '0=db:1', '5432=db:70000', 'x=db:1', '1=db/../x:2'])
      expect(() => parseLink(bad), bad).toThrow(/is not PORT=HOST:PORT/);
  });

  it('lead a loopback port to its target, both ways, and close', async () => {
    const echo = net.createServer((s) => s.pipe(s)).listen(0, '127.0.0.1');
    await new Promise((r) => echo.once('listening', r));
    const target = (echo.address() as net.AddressInfo).port;
    const probe = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const links = await openLinks([{ port, host: '127.0.0.1', targetPort: target }], () => undefined);
    const client = net.connect(port, '127.0.0.1');
    const answer = await new Promise<string>((resolve) => {
      client.once('data', (d) => resolve(d.toString()));
      client.write('ping');
    });
    expect(answer).toBe('ping');
    client.destroy();
    await links.close();
    echo.close();
  });
});
