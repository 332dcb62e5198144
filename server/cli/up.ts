import type { AppHome } from '../../stack/home.js';
import { parsePortBase } from '../../stack/port-base.js';
import type { DriverChoice } from '../core.js';
import type { Project } from '../project/project.js';
import { DEFAULT_DEV_PASSWORD } from '../settings.js';
import { CliError, defineCommand } from './command.js';
import { stopOnSignals } from './internal/foreground.js';
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
  home: AppHome;
  project: Project;
  /** --port-base or $APPRUN_PORT_BASE. */
  portBase?: number;
  devTokens: boolean;
  driver?: DriverChoice;
}): Promise<void> {
  const { project, devTokens, driver } = opts;
  // Loaded here, not at the top: every other command starts without the core and its libraries.
  const [{ Core }, { SERVICES }, { projectPortBase }] = await Promise.all([
    import('../core.js'),
    import('../../stack/services/index.js'),
    import('../project/ports.js'),
  ]);
  const portBase = await projectPortBase(project, opts.home, opts.portBase);
  const core = new Core({ home: opts.home.root, project, portBase, devTokens, driver, progress: progressPrinter() });
  const foreground = stopOnSignals(async (signal) => {
    process.stdout.write(`\n${signal}: stopping services…\n`);
    await core.stop();
    process.stdout.write('apprun stopped; no processes left behind\n');
  });

  const state = await core.start();
  // From here on the services run: leaving the process (an error exits) would end them by their parent-death signal
  // instead of a clean stop. A signal right after ready is already stopping them, and a status the core cannot give
  // this once is left out of the banner.
  const status = await fetchStack(state).then(
    (stack) => renderStatus(state, stack),
    (err: Error) => (foreground.stopping ? undefined : `(status unavailable: ${err.message}; try \`apprun status\`)`),
  );
  if (foreground.stopping) return;
  const users = project.config.users ?? [];
  const first = users.find((u) => u.role === 'admin') ?? users[0];
  const out = [
    '',
    `apprun is up: project ${project.config.project.name} (${project.builtIn ? 'the built-in demo' : project.dir})`,
    `  home         ${state.home}`,
    `  dashboard    ${state.gatewayUrl}/ui/?token=${state.adminToken}`,
    `  gateway      ${state.gatewayUrl}`,
    `  data API     ${state.gatewayUrl}/data/<table>`,
    ...SERVICES.map(({ banner }) => `  ${banner.label.padEnd(12)} ${banner.endpoint(state.ports)}`),
    `  admin token  ${state.adminToken}   (x-apprun-admin-token header for /api/*)`,
    first
      ? `  log in       POST ${state.gatewayUrl}/auth/login {"email":"${first.email}","password":"${DEFAULT_DEV_PASSWORD}"}` +
        `   (dev users of apprun/config.toml: ${users.map((u) => u.email).join(', ')})`
      : '  log in       (apprun/config.toml lists no dev users)',
    devTokens && first
      ? `  dev tokens   POST ${state.gatewayUrl}/auth/dev-token {"email":"${first.email}"}   (DEV ONLY: no password)`
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
  async run({ options, home, project }) {
    const { driver } = options;
    if (driver !== undefined && driver !== 'native' && driver !== 'docker' && driver !== 'auto')
      throw new CliError(`--driver is native, docker or auto, not "${driver}"`);
    await runUp({
      home,
      project,
      portBase: portBaseOf(options['port-base']),
      devTokens: options['dev-tokens'],
      driver,
    });
  },
});
