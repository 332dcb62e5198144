import { isAlive, reapPidFile } from '../../stack/pid-files.js';
import { SERVICE_NAMES } from '../../stack/service-identity.js';
import { runningCore } from '../core-state.js';
import { CliError, defineCommand } from './command.js';

/** How long a running core gets to stop its services cleanly. */
const STOP_DEADLINE_MS = 60_000;

export const downCommand = defineCommand({
  name: 'down',
  summary: 'stop a running apprun and everything it started; reap what a crash left',
  options: {},
  async run({ home }) {
    const state = await runningCore(home);
    if (state) {
      process.stdout.write(`stopping apprun (pid ${state.pid})…\n`);
      process.kill(state.pid, 'SIGTERM');
      const deadline = Date.now() + STOP_DEADLINE_MS;
      while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (isAlive(state.pid)) throw new CliError(`pid ${state.pid} did not stop within ${STOP_DEADLINE_MS / 1000} s`);
    }
    // Services a killed core left behind (its pid files remain).
    const reaped: string[] = [];
    for (const name of SERVICE_NAMES) {
      const pid = await reapPidFile(home.pidFile(name));
      if (pid) reaped.push(`${name} (pid ${pid})`);
    }
    if (reaped.length) process.stdout.write(`reaped orphans: ${reaped.join(', ')}\n`);
    process.stdout.write(state || reaped.length ? 'apprun is down\n' : `apprun was not running (home: ${home.root})\n`);
  },
});
