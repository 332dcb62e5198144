import { CliError, defineCommand } from './command.js';
import { stopOnSignals } from './internal/foreground.js';

export const forwardCommand = defineCommand({
  name: 'forward',
  summary: 'PORT=HOST:PORT…: ports of 127.0.0.1 that lead to services elsewhere (a pod’s sidecar)',
  args: 'PORT=HOST:PORT...',
  details:
    'What the exported Helm chart runs beside apprun in a pod: each service’s loopback port leads to its Kubernetes ' +
    'Service, so `apprun service` and `apprun gateway` run there as they do here. Stays in the foreground.',
  options: {},
  async run({ args }) {
    const { parseLink, openLinks } = await import('../../stack/port-links.js');
    if (!args.length) throw new CliError('usage: apprun forward PORT=HOST:PORT [PORT=HOST:PORT…]');
    let links: ReturnType<typeof parseLink>[];
    try {
      links = args.map(parseLink);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const open = await openLinks(links, (line) => process.stderr.write(`${line}\n`)).catch((err: Error) => {
      throw new CliError(`cannot listen: ${err.message}`);
    });
    for (const l of links) process.stdout.write(`127.0.0.1:${l.port} → ${l.host}:${l.targetPort}\n`);
    stopOnSignals(() => open.close());
  },
});
