import { isIP } from 'node:net';
import { CliError, defineCommand } from './command.js';
import { stopOnSignals } from './internal/foreground.js';
import { progressPrinter } from './internal/format.js';
import { PORT_BASE_OPTION, portBaseOf } from './up.js';

export const gatewayCommand = defineCommand({
  name: 'gateway',
  summary: 'a gateway on services it does not run: a running appliance’s (a replica), or services run apart',
  details:
    'Shares the signing key (a token from one gateway works at the other), the RBAC policies, retired tokens and ' +
    'function records with the appliance’s gateway; stops when the appliance stops. Snapshots, resets, service ' +
    'control and the project folder stay the appliance’s. --standalone: on services run apart (`apprun service ' +
    'NAME`, at their --port-base), with no appliance; it applies the project’s policies and functions at start, and ' +
    'its admin token is $APPRUN_ADMIN_TOKEN or one it prints.',
  options: {
    port: { type: 'string', value: 'N', description: 'the port it listens on (127.0.0.1)' },
    standalone: { type: 'boolean', description: 'on services run apart (`apprun service NAME`), no appliance' },
    'port-base': PORT_BASE_OPTION,
    host: {
      type: 'string',
      value: 'ADDR',
      description: 'with --standalone: the address it listens on (default 127.0.0.1; 0.0.0.0 in a private network)',
    },
  },
  async run({ options, home, project }) {
    const port = Number(options.port);
    if (!options.port || !Number.isInteger(port) || port < 1024 || port > 65535)
      throw new CliError('usage: apprun gateway --port N (an unused port from 1024 to 65535)');
    if (options.host && !options.standalone)
      throw new CliError('--host is for a standalone gateway (--standalone); a second gateway listens on 127.0.0.1');
    if (options.host && !isIP(options.host)) throw new CliError(`--host takes an IP address, not "${options.host}"`);
    const { ReplicaGateway } = await import('../replica/replica-gateway.js');
    const gateway = new ReplicaGateway({
      home,
      project,
      port,
      progress: progressPrinter(),
      standalone: options.standalone ? { portBase: portBaseOf(options['port-base']), host: options.host } : undefined,
    });
    const foreground = stopOnSignals(async (why) => {
      process.stdout.write(`\n${why}: stopping the second gateway…\n`);
      await gateway.stop();
    });
    const state = await gateway.start((why) => void foreground.stop(why));
    process.stdout.write(
      options.standalone
        ? `\ngateway up: ${state.gatewayUrl} (services run apart); admin token ${state.adminToken}\nCtrl-C stops it.\n`
        : `\nsecond gateway up: ${state.gatewayUrl} (the appliance's services; its admin token)\nCtrl-C stops it.\n`,
    );
  },
});
