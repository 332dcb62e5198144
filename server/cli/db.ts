import { adminApi } from '../api/contract.js';
import { CliError, defineCommand, requireRunning } from './command.js';

export const dbCommand = defineCommand({
  name: 'db',
  summary: 'reset: the database back to the project’s migrations and seed, in about a second',
  args: 'reset',
  options: { 'keep-users': { type: 'boolean', description: 'keep the users who signed up, with their passwords' } },
  async run({ args, options, home }) {
    if (args[0] !== 'reset' || args.length > 1) throw new CliError('usage: apprun db reset [--keep-users]');
    const state = await requireRunning(home);
    const result = await adminApi(state, { timeoutMs: 120_000 }).resetDatabase(options['keep-users']);
    process.stdout.write(
      `database reset to the migrations and seed in ${result.ms} ms` +
        `${result.templateBuilt ? ' (its template was built first: the next reset is faster)' : ''}` +
        `${options['keep-users'] ? `; kept ${result.keptUsers} signed-up users` : ''}` +
        `${result.skippedUsers.length ? ` (not kept: ${result.skippedUsers.join(', ')})` : ''}\n`,
    );
  },
});
