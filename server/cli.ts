// `apprun <command> [options]`: finds the verb in the command table (cli/commands.ts), parses its own options, runs it.
// A failure is one line on stderr and a non-zero exit code, never a stack trace.
import { CliError, commandHelp, parseCommandLine, usage } from './cli/command.js';
import { COMMANDS } from './cli/commands.js';

async function main(argv: string[]): Promise<void> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    const about = rest[0] && COMMANDS.find((c) => c.name === rest[0]);
    if (rest[0] && !about) throw new CliError(`unknown command "${rest[0]}"\n\n${usage(COMMANDS)}`);
    process.stdout.write(about ? commandHelp(about) : usage(COMMANDS));
    return;
  }
  const command = COMMANDS.find((c) => c.name === verb);
  if (!command) throw new CliError(`unknown command "${verb}"\n\n${usage(COMMANDS)}`);
  const { input, help } = parseCommandLine(command, rest);
  if (help) {
    process.stdout.write(commandHelp(command));
    return;
  }
  await command.run(input);
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`apprun: ${err.message}\n`);
  process.exit(err instanceof CliError ? err.exitCode : 1);
});
