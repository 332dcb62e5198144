import { adminApi } from '../api/contract.js';
import { CliError, defineCommand, requireRunning } from './command.js';

export const functionsCommand = defineCommand({
  name: 'functions',
  summary: 'deploy [NAME]: build apprun/functions/*.ts and deploy them to every tenant of the config',
  args: 'deploy [NAME]',
  options: {},
  async run({ args, home }) {
    if (args[0] !== 'deploy' || args.length > 2) throw new CliError('usage: apprun functions deploy [NAME]');
    const state = await requireRunning(home);
    const result = await adminApi(state, { timeoutMs: 120_000 }).deployFunctions(args[1]);
    for (const d of result.deployed) process.stdout.write(`deployed ${d.name} to ${d.tenants} tenant(s)\n`);
    if (result.unchanged.length) process.stdout.write(`unchanged: ${result.unchanged.join(', ')}\n`);
    if (!result.deployed.length && !result.unchanged.length) process.stdout.write('apprun/functions has no function\n');
  },
});
