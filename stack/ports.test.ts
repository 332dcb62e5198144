import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertPortFree, DEFAULT_PORTS, PortInUseError, parsePortBase, portMap } from './ports.js';

describe('portMap', () => {
  it('uses the POC defaults without a base', () => {
    expect(portMap()).toEqual(DEFAULT_PORTS);
    expect(portMap().postgres).toBe(5432);
  });

  it('moves every port with a base and keeps them distinct', () => {
    const ports = Object.values(portMap(20000));
    expect(Math.min(...ports)).toBe(20000);
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('rejects bases that would leave the valid range', () => {
    expect(() => portMap(80)).toThrow(/APPRUN_PORT_BASE/);
    expect(() => portMap(65530)).toThrow(/APPRUN_PORT_BASE/);
    expect(() => parsePortBase('abc')).toThrow(/integer/);
    expect(parsePortBase('')).toBeUndefined();
  });
});

describe('assertPortFree', () => {
  it('names the port and the service when the port is taken', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const err = await assertPortFree(port, 'postgres').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PortInUseError);
      expect(String((err as Error).message)).toContain(`port ${port} (postgres)`);
    } finally {
      holder.close();
    }
  });
});
