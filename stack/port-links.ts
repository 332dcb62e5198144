// Ports of 127.0.0.1 that lead to services elsewhere: what a Kubernetes pod of apprun runs beside its process (a
// sidecar), so the specs' loopback addresses reach the cluster's Services without a change. Plain TCP piping.
import net from 'node:net';

export interface PortLink {
  port: number;
  host: string;
  targetPort: number;
}

/** "5432=db-rw:5432" → a link; an error naming the argument otherwise. */
export function parseLink(arg: string): PortLink {
  const m = /^(\d{1,5})=([A-Za-z0-9.-]{1,253}):(\d{1,5})$/.exec(arg);
  const valid = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;
  if (!m || !valid(Number(m[1])) || !valid(Number(m[3])))
    throw new Error(`"${arg}" is not PORT=HOST:PORT (e.g. 5432=apprun-db-rw:5432)`);
  return { port: Number(m[1]), host: m[2]!, targetPort: Number(m[3]) };
}

/** Listens on 127.0.0.1 at each link's port and pipes every connection to its target; `close` ends them all. */
export async function openLinks(links: PortLink[], log: (line: string) => void): Promise<{ close(): Promise<void> }> {
  const servers = await Promise.all(
    links.map(
      (link) =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer((client) => {
            const upstream = net.connect({ host: link.host, port: link.targetPort });
            client.pipe(upstream).pipe(client);
            const drop = (err?: Error) => {
              if (err) log(`127.0.0.1:${link.port} → ${link.host}:${link.targetPort}: ${err.message}`);
              client.destroy();
              upstream.destroy();
            };
            client.once('error', drop);
            upstream.once('error', drop);
            client.once('close', () => upstream.destroy());
            upstream.once('close', () => client.destroy());
          });
          server.once('error', reject);
          server.listen({ host: '127.0.0.1', port: link.port }, () => resolve(server));
        }),
    ),
  );
  return {
    close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  };
}
