import fs from 'node:fs/promises';
import path from 'node:path';
import { grpcHealthCheck } from '../grpc-health.js';
import type { ServiceDefinition } from './definition.js';

const BUDGET_MB = 150;

/** Temporal's dev server (the CLI's `server start-dev`): SQLite persistence in the app home, Web UI on its own port. */
// The port and secret names are spelled in the type too: the port map's and the secrets' types come from them.
export const temporal: ServiceDefinition<'temporal' | 'temporalUi', never> = {
  name: 'temporal',
  description: 'Temporal dev server (CLI v1.5.1, SQLite)',
  memoryBudgetMb: BUDGET_MB,
  ports: {
    temporal: { default: 7233, owner: 'temporal' },
    temporalUi: { default: 8233, owner: 'temporal web UI' },
  },
  dependsOn: [],
  secrets: {},
  binary: { version: 'v1.5.1', module: 'github.com/temporalio/cli/cmd/temporal', build: 'go-install' },
  banner: { label: 'Temporal', endpoint: (p) => `127.0.0.1:${p.temporal} (Web UI http://127.0.0.1:${p.temporalUi})` },
  image: { image: 'temporalio/temporal:1.5.1', executable: '/usr/local/bin/temporal' },
  async spec({ home, ports, network, binary }) {
    const dataDir = home.dataDir('temporal');
    return {
      dataDir,
      stopSignal: 'SIGTERM',
      discardSignal: 'SIGKILL', // its SQLite data is swapped out: its ~1 s graceful stop buys nothing
      stopTimeoutMs: 10_000,
      startTimeoutMs: 60_000,
      command: {
        path: await binary(),
        args: [
          'server',
          'start-dev',
          '--ip',
          network.listen,
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
        env: { HOME: dataDir, GOMEMLIMIT: `${BUDGET_MB - 30}MiB` },
      },
      health: {
        kind: 'custom',
        describe: `gRPC health of 127.0.0.1:${ports.temporal}`,
        run: grpcHealthCheck(`127.0.0.1:${ports.temporal}`, 'temporal.api.workflowservice.v1.WorkflowService'),
        timeoutMs: 3000,
      },
      prepare: async () => void (await fs.mkdir(dataDir, { recursive: true })),
    };
  },
};
