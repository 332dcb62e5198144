import os from 'node:os';
import si from 'systeminformation';
import type { Static } from 'typebox';
import type { MachineSchema } from '../api/schemas/kpi.js';

export type Machine = Static<typeof MachineSchema>;

/** The host a run measured (systeminformation), with the driver and each service's version. */
export async function describeMachine(driver: string, services: Record<string, string>): Promise<Machine> {
  const [cpu, mem, osInfo] = await Promise.all([si.cpu(), si.mem(), si.osInfo()]);
  return {
    cpuModel: `${cpu.manufacturer} ${cpu.brand}`.trim() || (os.cpus()[0]?.model ?? 'unknown'),
    cores: cpu.cores || os.cpus().length,
    memoryGb: Math.round((mem.total / 2 ** 30) * 10) / 10,
    os: `${osInfo.distro} ${osInfo.release} (${osInfo.kernel}, ${osInfo.arch})`,
    node: process.version,
    ...(process.versions.electron ? { electron: process.versions.electron } : {}),
    driver,
    services,
  };
}
