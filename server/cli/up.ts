import { parsePortBase } from '../../stack/ports.js';
import { SERVICES } from '../../stack/services/index.js';
import { Core, type DriverChoice } from '../core.js';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { CliError, defineCommand } from './command.js';
import { progressPrinter } from './internal/format.js';
import { fetchStack, renderStatus } from './internal/stack-status.js';

export const PORT_BASE_OPTION = {
  type: 'string',
  value: 'N',
  description: 'move every port to N, N+1, … (default: $APPRUN_PORT_BASE, else the settings, else the POC ports)',
} as const;
export const DEV_TOKENS_OPTION = {
  type: 'boolean',
  description: 'enable POST /auth/dev-token: tokens without a password, DEV ONLY',
} as const;

/** The port base of --port-base or $APPRUN_PORT_BASE (an error names a bad value). */
export const portBaseOf = (flag: string | undefined): number | undefined =>
  parsePortBase(flag ?? process.env.APPRUN_PORT_BASE);

/** Starts the stack and the gateway in this process, prints the banner, and stops everything on a signal. */
export async function runUp(opts: {
  home: string;
  portBase?: number;
  devTokens: boolean;
  driver?: DriverChoice;
}): Promise<void> {
  const core = new Core({ ...opts, progress: progressPrinter() });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping services…\n`);
    await core.stop();
    process.stdout.write('apprun stopped; no processes left behind\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  const state = await core.start();
  // From here on the services run: leaving the process (an error exits) would end them by their parent-death signal
  // instead of a clean stop. A signal right after ready is already stopping them, and a status the core cannot give
  // this once is left out of the banner.
  const status = await fetchStack(state).then(
    (stack) => renderStatus(state, stack),
    (err: Error) => (stopping ? undefined : `(status unavailable: ${err.message}; try \`apprun status\`)`),
  );
  if (stopping) return;
  const out = [
    '',
    `apprun is up (home: ${state.home})`,
    `  dashboard    ${state.gatewayUrl}/ui/?token=${state.adminToken}`,
    `  gateway      ${state.gatewayUrl}`,
    `  data API     ${state.gatewayUrl}/data/<table>`,
    ...SERVICES.map(({ banner }) => `  ${banner.label.padEnd(12)} ${banner.endpoint(state.ports)}`),
    `  admin token  ${state.adminToken}   (x-apprun-admin-token header for /api/*)`,
    `  log in       POST ${state.gatewayUrl}/auth/login ` +
      `{"email":"alice@test.com","password":"${DEFAULT_DEV_PASSWORD}"}   (seeded dev users: alice, bob, charlie ` +
      `@test.com)`,
    opts.devTokens
      ? `  dev tokens   POST ${state.gatewayUrl}/auth/dev-token {"email":"alice@test.com"}   (DEV ONLY: no password)`
      : '',
    '',
    status,
    '',
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`${out.filter((l) => l !== undefined).join('\n')}\n`);
}

export const upCommand = defineCommand({
  name: 'up',
  summary: 'start the stack and the gateway in the foreground (Ctrl-C stops everything)',
  options: {
    'port-base': PORT_BASE_OPTION,
    driver: {
      type: 'string',
      value: 'D',
      description: 'native, docker or auto (default: $APPRUN_DRIVER, else the settings, else native)',
    },
    'dev-tokens': DEV_TOKENS_OPTION,
  },
  async run({ options, home }) {
    const { driver } = options;
    if (driver !== undefined && driver !== 'native' && driver !== 'docker' && driver !== 'auto')
      throw new CliError(`--driver is native, docker or auto, not "${driver}"`);
    await runUp({
      home: home.root,
      portBase: portBaseOf(options['port-base']),
      devTokens: options['dev-tokens'],
      driver,
    });
  },
});
