import path from 'node:path';
import { defineCommand } from './command.js';

export const initCommand = defineCommand({
  name: 'init',
  summary: 'make DIR (default: here) an apprun project: apprun/ with migrations, seed, functions and config',
  args: '[DIR]',
  options: {},
  async run({ args }) {
    const { initProject } = await import('../project/init.js');
    const made = await initProject(args[0] ?? '.');
    const relative = path.relative(process.cwd(), path.dirname(made.dir));
    const here = relative.startsWith('..') ? path.dirname(made.dir) : relative || '.';
    process.stdout.write(
      [
        `made project ${made.name} in ${made.dir}:`,
        ...made.files.map((f) => `  ${f}`),
        '',
        'next:',
        ...(here === '.' ? [] : [`  cd ${here}`]),
        '  apprun up                          # start it (the migrations, seed and functions come in)',
        '  apprun migration new add_notes     # then edit the file: it is applied as soon as you save it',
        '  apprun gen types --out src/database.types.ts',
        '',
      ].join('\n'),
    );
  },
});
