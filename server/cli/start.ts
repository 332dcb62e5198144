import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../stack/package-root.js';
import { defineCommand } from './command.js';
import { electronBinary } from './internal/electron.js';
import { DEV_TOKENS_OPTION, PORT_BASE_OPTION, portBaseOf, runUp } from './up.js';

/** The desktop app where Electron can run; otherwise the headless core, said in one line. */
export const startCommand = defineCommand({
  name: 'start',
  summary: 'open the desktop app; without an Electron binary, run `up`',
  options: { 'port-base': PORT_BASE_OPTION, 'dev-tokens': DEV_TOKENS_OPTION },
  async run({ options, home, project }) {
    const portBase = portBaseOf(options['port-base']);
    const electron = electronBinary();
    const mainEntry = path.join(packageRoot(), 'out', 'main', 'index.cjs');
    if (!electron.path || !fs.existsSync(mainEntry)) {
      const reason = electron.reason ?? 'the desktop app is not built (npm run build)';
      process.stdout.write(
        `Electron binary not available here (${reason}): running the headless core (apprun up); open the dashboard ` +
          `URL below.\n`,
      );
      return runUp({ home, project, portBase, devTokens: options['dev-tokens'] });
    }
    const env = {
      ...process.env,
      APPRUN_HOME: home.root,
      ...(project.builtIn ? {} : { APPRUN_PROJECT: project.root }),
      ...(portBase !== undefined ? { APPRUN_PORT_BASE: String(portBase) } : {}),
    };
    const child = spawn(electron.path, [packageRoot()], { stdio: 'inherit', env });
    child.on('exit', (code) => process.exit(code ?? 0));
  },
});
