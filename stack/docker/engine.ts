import Docker from 'dockerode';

export type Engine = { docker: Docker; version: string } | { docker?: undefined; reason: string };

/** The local Docker engine, if one answers within timeoutMs (the default socket, or DOCKER_HOST). */
export async function connectEngine(timeoutMs = 3000): Promise<Engine> {
  const docker = new Docker();
  try {
    const version = await Promise.race([
      docker.version(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs)),
    ]);
    return { docker, version: version.Version };
  } catch (err) {
    return {
      reason: `no Docker engine answers (${(err as Error).message}); start one, e.g. dockerd --bridge=none --iptables=false`,
    };
  }
}
