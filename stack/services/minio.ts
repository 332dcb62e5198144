import fs from 'node:fs/promises';
import { token } from '../random-token.js';
import type { ServiceDefinition } from './definition.js';

// The POC's 50 MB could not hold it: at idle its PSS is ~35 MB of heap plus ~56 MB of its 150 MB binary's pages. Its
// container limit (the same share) also carries the page cache it reads: started on a cold page cache it peaked at
// 160 MB, and at 100 MB the kernel killed it while starting (cgroup v1, memory.max_usage_in_bytes).
const BUDGET_MB = 160;
/** Go's heap target, apart from the share: the heap measured ~35 MB at idle. */
const HEAP_LIMIT_MB = 40;

/** MinIO in single-drive mode with per-install root credentials; data in the app home. */
// The port and secret names are spelled in the type too: the port map's and the secrets' types come from them.
export const minio: ServiceDefinition<'minio' | 'minioConsole', 'minioRootUser' | 'minioRootPassword'> = {
  name: 'minio',
  description: 'MinIO object storage',
  memoryBudgetMb: BUDGET_MB,
  ports: {
    minio: { default: 9000, owner: 'minio' },
    minioConsole: { default: 9001, owner: 'minio console' },
  },
  dependsOn: [],
  secrets: { minioRootUser: () => `apprun-${token(6)}`, minioRootPassword: () => token(24) },
  // MinIO publishes RELEASE.* tags the Go module proxy does not serve: the pin is the pseudo-version it resolves.
  binary: { version: 'v0.0.0-20260212201848-7aac2a2c5b7c', module: 'github.com/minio/minio', build: 'go-install' },
  // The last community image MinIO published; newer ones are source-only.
  banner: {
    label: 'MinIO',
    endpoint: (p) => `http://127.0.0.1:${p.minio} (console http://127.0.0.1:${p.minioConsole})`,
  },
  image: { image: 'minio/minio:RELEASE.2025-09-07T16-13-09Z', executable: '/usr/bin/minio' },
  async spec({ home, ports, secrets, network, binary }) {
    const dataDir = home.dataDir('minio');
    return {
      dataDir,
      stopSignal: 'SIGTERM',
      discardSignal: 'SIGKILL', // its data is swapped out: nothing to flush
      stopTimeoutMs: 10_000,
      startTimeoutMs: 30_000,
      command: {
        path: await binary(),
        args: [
          'server',
          dataDir,
          '--address',
          `${network.listen}:${ports.minio}`,
          '--console-address',
          `${network.listen}:${ports.minioConsole}`,
          '--quiet',
        ],
        env: {
          HOME: dataDir,
          MINIO_ROOT_USER: secrets.minioRootUser,
          MINIO_ROOT_PASSWORD: secrets.minioRootPassword,
          MINIO_UPDATE: 'off',
          GOMEMLIMIT: `${HEAP_LIMIT_MB}MiB`,
        },
      },
      // Another S3 store in its place (an exported chart's SeaweedFS, or one of the cluster's) has no MinIO health
      // route: its port answering is the check.
      ...(process.env.APPRUN_OBJECT_STORE === 's3'
        ? { health: { kind: 'tcp' as const, host: '127.0.0.1', port: ports.minio } }
        : {
            health: { kind: 'http' as const, url: `http://127.0.0.1:${ports.minio}/minio/health/ready` },
            liveness: { kind: 'http' as const, url: `http://127.0.0.1:${ports.minio}/minio/health/live` },
          }),
      prepare: async () => void (await fs.mkdir(dataDir, { recursive: true, mode: 0o700 })),
    };
  },
};
