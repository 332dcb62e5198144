import fs from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { AppHome } from '../home.js';
import type { PortMap } from '../ports.js';
import { MEMORY_BUDGET_MB, type ServiceSpec } from '../spec.js';

/** gRPC health of the frontend through @temporalio/client, over one connection kept between checks. */
function grpcHealth(address: string) {
  let connection: Promise<Connection> | undefined;
  return async () => {
    connection ??= Connection.connect({ address, connectTimeout: 2000 });
    try {
      const conn = await connection;
      const res = await conn.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
      if (res.status !== 1) throw new Error(`gRPC health status ${res.status}`); // 1 = SERVING
    } catch (err) {
      const stale = connection;
      connection = undefined;
      void stale?.then((c) => c.close()).catch(() => undefined);
      throw err;
    }
  };
}

/** Temporal's dev server (the CLI's `server start-dev`): SQLite persistence in the app home, Web UI on its own port. */
export function temporalSpec(home: AppHome, ports: PortMap, binary: string): ServiceSpec {
  const dataDir = home.dataDir('temporal');
  return {
    name: 'temporal',
    description: 'Temporal dev server (CLI v1.5.1, SQLite)',
    ports: { grpc: ports.temporal, ui: ports.temporalUi },
    dataDir,
    memoryBudgetMb: MEMORY_BUDGET_MB.temporal,
    dependsOn: [],
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
    startTimeoutMs: 60_000,
    command: {
      path: binary,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(ports.temporal),
        '--ui-port',
        String(ports.temporalUi),
        '--db-filename',
        path.join(dataDir, 'temporal.db'),
        '--log-level',
        'warn',
        // The gateway tags each workflow with its tenant and lists a tenant's workflows by this attribute.
        '--search-attribute',
        'ApprunTenantId=Keyword',
        // A developer's own Temporal CLI profile must not change the appliance's server.
        '--disable-config-file',
        '--disable-config-env',
      ],
      env: { HOME: dataDir, GOMEMLIMIT: `${MEMORY_BUDGET_MB.temporal - 30}MiB` },
    },
    health: {
      kind: 'custom',
      describe: `gRPC health of 127.0.0.1:${ports.temporal}`,
      run: grpcHealth(`127.0.0.1:${ports.temporal}`),
      timeoutMs: 3000,
    },
    prepare: async () => void (await fs.mkdir(dataDir, { recursive: true })),
  };
}
