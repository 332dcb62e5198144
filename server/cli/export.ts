import { CliError, defineCommand } from './command.js';
import { progressPrinter } from './internal/format.js';
import { PORT_BASE_OPTION, portBaseOf } from './up.js';

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'compose|helm --out DIR: the project as a Compose file or a Helm chart, for beyond one machine',
  args: 'compose|helm',
  details:
    'compose: compose.yaml, secrets.env (0600) and the project, every container on the apprun image (`apprun images ' +
    'build`); `docker compose up --wait` in DIR starts it. helm: an umbrella chart (CloudNativePG for Postgres, ' +
    'migration Jobs, Kratos, Temporal on that Postgres, an S3 object store, PostgREST and 2+ gateways, one Ingress). ' +
    'Both check the project’s migrations against the running appliance first and print, per service, the version ' +
    'here and in the export.',
  options: {
    out: { type: 'string', value: 'DIR', description: 'the folder to write (empty, or --force)' },
    force: { type: 'boolean', description: 'replace what --out holds' },
    'with-dev-users': { type: 'boolean', description: 'keep the config’s dev users (with the dev password)' },
    'skip-check': { type: 'boolean', description: 'export without checking the migrations (apprun not running)' },
    'port-base': PORT_BASE_OPTION,
    network: {
      type: 'string',
      value: 'host|private',
      description: 'compose: private (default: one network namespace, only the gateway published) or host',
    },
  },
  async run({ args, options, home, project }) {
    const [target, ...extra] = args;
    if (!target || extra.length) throw new CliError('usage: apprun export compose|helm --out DIR');
    if (!options.out) throw new CliError(`usage: apprun export ${target} --out DIR (the folder to write)`);
    const { runExport } = await import('../export/exporter.js');
    const { ExportError } = await import('../export/export-folder.js');
    try {
      const result = await runExport({
        home,
        project,
        target,
        out: options.out,
        force: !!options.force,
        withDevUsers: !!options['with-dev-users'],
        skipCheck: !!options['skip-check'],
        portBase: portBaseOf(options['port-base']),
        network: options.network as 'host' | 'private' | undefined,
        progress: progressPrinter(),
      });
      process.stdout.write(`${result.report}\n`);
    } catch (err) {
      if (err instanceof ExportError) throw new CliError(err.message);
      throw err;
    }
  },
});
