import { CliError, defineCommand } from './command.js';
import { progressPrinter } from './internal/format.js';

export const gatewayCommand = defineCommand({
  name: 'gateway',
  summary: 'a second gateway on the running appliance’s services, as a replica behind a load balancer would be',
  details:
    'Shares the signing key (a token from one gateway works at the other), the RBAC policies, retired tokens and ' +
    'function records with the appliance’s gateway; stops when the appliance stops. Snapshots, resets, service ' +
    'control and the project folder stay the appliance’s.',
  options: { port: { type: 'string', value: 'N', description: 'the port it listens on (127.0.0.1)' } },
  async run({ options, home, project }) {
    const port = Number(options.port);
    if (!options.port || !Number.isInteger(port) || port < 1024 || port > 65535)
      throw new CliError('usage: apprun gateway --port N (an unused port from 1024 to 65535)');
    const { ReplicaGateway } = await import('../replica/replica-gateway.js');
    const gateway = new ReplicaGateway({ home, project, port, progress: progressPrinter() });
    let stopping = false;
    const stop = async (why: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${why}: stopping the second gateway…\n`);
      await gateway.stop();
      process.exit(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));
    const state = await gateway.start((why) => void stop(why));
    process.stdout.write(
      `\nsecond gateway up: ${state.gatewayUrl} (the appliance's services; its admin token)\nCtrl-C stops it.\n`,
    );
  },
});
