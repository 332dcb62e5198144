import { adminApi } from '../api/contract.js';
import { defineCommand, requireRunning } from './command.js';

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: 'a Model Context Protocol server over stdio for coding agents (local development only)',
  details:
    'For the running apprun of this project (found like every command; refused when none runs): status, ' +
    'list_tables, read_data as a user, explain, logs, mail, apply_migration, run_kpis. It binds nothing to the ' +
    'network. In an agent’s config: {"command": "npx", "args": ["apprun", "mcp"], "cwd": "<your project>"}.',
  options: {},
  async run({ home }) {
    const state = await requireRunning(home);
    const [{ createMcpServer }, { StdioServerTransport }, fs, path, { packageRoot }] = await Promise.all([
      import('../mcp/mcp-server.js'),
      import('@modelcontextprotocol/sdk/server/stdio.js'),
      import('node:fs'),
      import('node:path'),
      import('../../stack/package-root.js'),
    ]);
    const { version } = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8'));
    const server = createMcpServer({
      api: adminApi(state, { timeoutMs: 120_000 }),
      gatewayUrl: state.gatewayUrl,
      version,
    });
    // stdout is the protocol's: nothing else is written there.
    await server.connect(new StdioServerTransport());
    process.stderr.write(`apprun mcp: serving ${state.gatewayUrl} (home ${state.home}) over stdio\n`);
    await new Promise<void>((resolve) => process.stdin.once('end', resolve));
    await server.close();
  },
});
