import fs from 'node:fs/promises';
import type { AppHome, StackSecrets } from '../home.js';
import type { PortMap } from '../ports.js';
import { MEMORY_BUDGET_MB, type ServiceSpec } from '../spec.js';

/** MinIO in single-drive mode with per-install root credentials; data in the app home. */
export function minioSpec(home: AppHome, ports: PortMap, secrets: StackSecrets, binary: string): ServiceSpec {
  const dataDir = home.dataDir('minio');
  return {
    name: 'minio',
    description: 'MinIO object storage',
    ports: { api: ports.minio, console: ports.minioConsole },
    dataDir,
    memoryBudgetMb: MEMORY_BUDGET_MB.minio,
    dependsOn: [],
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
    startTimeoutMs: 30_000,
    command: {
      path: binary,
      args: [
        'server',
        dataDir,
        '--address',
        `127.0.0.1:${ports.minio}`,
        '--console-address',
        `127.0.0.1:${ports.minioConsole}`,
        '--quiet',
      ],
      env: {
        HOME: dataDir,
        MINIO_ROOT_USER: secrets.minioRootUser,
        MINIO_ROOT_PASSWORD: secrets.minioRootPassword,
        MINIO_UPDATE: 'off',
        // Go's heap target inside the service's share; the binary's mapped code comes on top.
        GOMEMLIMIT: `${MEMORY_BUDGET_MB.minio - 10}MiB`,
      },
    },
    health: { kind: 'http', url: `http://127.0.0.1:${ports.minio}/minio/health/ready` },
    prepare: async () => void (await fs.mkdir(dataDir, { recursive: true, mode: 0o700 })),
  };
}
