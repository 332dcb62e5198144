import fs from 'node:fs/promises';
import path from 'node:path';
import { adminApi } from '../api/contract.js';
import { CliError, defineCommand, requireRunning } from './command.js';

export const genCommand = defineCommand({
  name: 'gen',
  summary: 'types: TypeScript types of the running project’s schema, for @supabase/postgrest-js',
  args: 'types',
  options: { out: { type: 'string', value: 'FILE', description: 'write them to FILE (default: print them)' } },
  async run({ args, options, home }) {
    if (args[0] !== 'types' || args.length > 1) throw new CliError('usage: apprun gen types [--out FILE]');
    const state = await requireRunning(home);
    const types = await adminApi(state, { timeoutMs: 30_000 }).projectTypes();
    if (!options.out) {
      process.stdout.write(types);
      return;
    }
    await fs.mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
    await fs.writeFile(options.out, types);
    process.stdout.write(`wrote ${options.out}\n`);
  },
});
