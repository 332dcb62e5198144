import net from 'node:net';
import { SERVICES, type ServicePortKey } from './services/index.js';

export { parsePortBase } from './port-base.js';

/** Every port the appliance listens on, by name: the gateway's, each service file's, the mail catcher's. All bind 127.0.0.1. */
export type PortMap = Record<'gateway' | ServicePortKey | 'mail', number>;

/** Every service file's ports in order, after the gateway's; the core's mail catcher last (added after the others). */
const DECLARED: [keyof PortMap, { default: number; owner: string }][] = [
  ['gateway', { default: 8080, owner: 'gateway' }],
  ...SERVICES.flatMap((s) => Object.entries(s.ports) as [keyof PortMap, { default: number; owner: string }][]),
  ['mail', { default: 1025, owner: 'mail catcher (SMTP)' }],
];

/** Who holds each port, for the fail-fast "port in use" check before anything starts. */
export const PORT_OWNERS = Object.fromEntries(DECLARED.map(([key, p]) => [key, p.owner])) as Record<
  keyof PortMap,
  string
>;

/** The POC's ports, used when no base is given: the gateway on 8080, then each service's defaults. */
export const DEFAULT_PORTS = Object.fromEntries(DECLARED.map(([key, p]) => [key, p.default])) as PortMap;

const ORDER = Object.keys(DEFAULT_PORTS) as (keyof PortMap)[];

/** With a base, the whole set moves to base, base+1, … in a fixed order, so two appliances never overlap. */
export function portMap(base?: number): PortMap {
  if (base === undefined) return { ...DEFAULT_PORTS };
  if (!Number.isInteger(base) || base < 1024 || base + ORDER.length > 65535) {
    throw new Error(`APPRUN_PORT_BASE must be an integer between 1024 and ${65535 - ORDER.length}, got ${base}`);
  }
  return Object.fromEntries(ORDER.map((name, i) => [name, base + i])) as unknown as PortMap;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly owner: string,
  ) {
    super(
      `port ${port} (${owner}) is already in use on 127.0.0.1 — stop whatever holds it, or move apprun's ports with ` +
        `APPRUN_PORT_BASE=<base>`,
    );
    this.name = 'PortInUseError';
  }
}

/** Resolves when the port can be bound on 127.0.0.1; rejects with PortInUseError at once otherwise. */
export function assertPortFree(port: number, owner: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new PortInUseError(port, owner) : err);
    });
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port nothing holds on 127.0.0.1 right now, for a short-lived server of the appliance's own. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
