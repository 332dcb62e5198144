import Docker from 'dockerode';
import type { ContainerNetwork } from './docker-driver.js';

export type Engine =
  | { docker: Docker; version: string; network: ContainerNetwork }
  | { docker?: undefined; reason: string };

/**
 * The local Docker engine, if one answers within timeoutMs (the default socket, or DOCKER_HOST), and how its
 * containers reach the host: the host network on Linux, published ports where the engine runs in a VM.
 */
export async function connectEngine(timeoutMs = 3000): Promise<Engine> {
  const docker = new Docker();
  try {
    const [version, info] = await Promise.race([
      Promise.all([docker.version(), docker.info() as Promise<{ OperatingSystem?: string }>]),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]);
    const inVm = process.platform !== 'linux' || /Docker Desktop/i.test(info.OperatingSystem ?? '');
    return { docker, version: version.Version, network: inVm ? 'published' : 'host' };
  } catch (err) {
    return {
      reason: `no Docker engine answers (${(err as Error).message}); start one, e.g. dockerd --bridge=none --iptables=false`,
    };
  }
}
