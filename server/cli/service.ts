import { isIP } from 'node:net';
import { CliError, defineCommand } from './command.js';
import { stopOnSignals } from './internal/foreground.js';
import { progressPrinter } from './internal/format.js';
import { PORT_BASE_OPTION, portBaseOf } from './up.js';

export const serviceCommand = defineCommand({
  name: 'service',
  summary: 'one service of the stack in the foreground, for a container or a process manager',
  args: 'NAME',
  details:
    'Waits for the services NAME depends on (their health checks), prepares NAME (its database, config or ' +
    'migrations, as `apprun up` does), starts it and stays in the foreground until a signal stops it; exits 1 if the ' +
    'process ends unasked, so the orchestrator restarts it. --prepare-only stops after the preparation.',
  options: {
    'prepare-only': { type: 'boolean', description: 'only prepare it (a one-shot init step), then exit' },
    'port-base': PORT_BASE_OPTION,
    listen: {
      type: 'string',
      value: 'ADDR',
      description: 'the address it listens on (default 127.0.0.1; 0.0.0.0 in a pod other pods reach)',
    },
    check: { type: 'boolean', description: 'run its health check once: exit 0 if healthy, 1 with the reason if not' },
  },
  async run({ args, options, home, project }) {
    const [name, ...extra] = args;
    if (!name || extra.length)
      throw new CliError('usage: apprun service NAME [--prepare-only | --check] (NAME: postgres, …)');
    const { serviceSpecs } = await import('../replica/service-specs.js');
    const { runService } = await import('../../stack/service-runner.js');
    const progress = progressPrinter();
    if (options.listen && !isIP(options.listen))
      throw new CliError(`--listen takes an IP address, not "${options.listen}"`);
    const specs = await serviceSpecs(home, project, portBaseOf(options['port-base']), progress, options.listen);
    if (!specs.some((s) => s.name === name))
      throw new CliError(`no service "${name}"; known: ${specs.map((s) => s.name).join(', ')}`);
    const service = name as (typeof specs)[number]['name'];
    if (options.check) {
      // A container's healthcheck: the same check the supervisor polls, once.
      const { checkHealth } = await import('../../stack/health.js');
      const spec = specs.find((s) => s.name === service)!;
      await checkHealth(spec.health).catch((err: Error) => {
        throw new CliError(`${service} is not healthy: ${err.message}`);
      });
      process.exit(0); // a kept health connection would hold the process open
    }
    const running = await runService({ home, specs, name: service, progress, prepareOnly: options['prepare-only'] });
    if (options['prepare-only']) return;
    const foreground = stopOnSignals(async (signal) => {
      progress({ service, step: `${signal}: stopping` });
      await running.stop();
    });
    await running.ended.catch((err: Error) => {
      // A stop under way exits by itself.
      if (foreground.stopping) return new Promise<never>(() => undefined);
      throw new CliError(err.message);
    });
  },
});
