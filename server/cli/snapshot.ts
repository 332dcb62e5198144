import { defineCommand } from './command.js';

export const snapshotCommand = defineCommand({
  name: 'snapshot',
  summary: 'one checkpoint of the whole stack (every service’s data, settings), restored in seconds',
  args: '<save [NAME] | list | restore NAME | rm NAME>',
  details:
    'save: NAME defaults to the time (or the git branch with --branch). Through the running apprun when there is ' +
    'one,\non the files otherwise.',
  options: { branch: { type: 'boolean', description: 'save: name the snapshot after the current git branch' } },
  async run({ options, args, home }) {
    const { snapshot } = await import('./internal/snapshots.js');
    process.stdout.write(await snapshot(home, args, { branch: options.branch }));
  },
});
