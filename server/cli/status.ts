import { runningCore } from '../core-state.js';
import { defineCommand } from './command.js';
import { fetchStack, renderStatus } from './internal/stack-status.js';

/** Exit code of `apprun status` when nothing runs for the home (as `systemctl status` uses 3). */
const NOT_RUNNING = 3;

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'show every service: state, health, pid, port, memory, CPU',
  options: { json: { type: 'boolean', description: 'machine-readable output' } },
  async run({ options, home }) {
    const state = await runningCore(home);
    if (!state) {
      if (options.json) process.stdout.write(`${JSON.stringify({ running: false })}\n`);
      else process.stdout.write(`apprun is not running (home: ${home.root})\n`);
      process.exitCode = NOT_RUNNING;
      return;
    }
    const stack = await fetchStack(state);
    process.stdout.write(
      options.json
        ? `${JSON.stringify({ running: true, gatewayUrl: state.gatewayUrl, ...stack }, null, 2)}\n`
        : `${renderStatus(state, stack)}\n`,
    );
  },
});
