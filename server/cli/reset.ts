import { defineCommand } from './command.js';

export const resetCommand = defineCommand({
  name: 'reset',
  summary: 'back to migrations + seed',
  options: { 'keep-users': { type: 'boolean', description: 'keep the users who signed up, with their passwords' } },
  async run({ options, home }) {
    const { reset } = await import('./internal/snapshots.js');
    process.stdout.write(await reset(home, options['keep-users']));
  },
});
