// What a CLI command is: a verb with a one-line summary, its own options, and what it runs. The parser, `apprun help`
// and `apprun <verb> --help` all read the same declaration, so a flag and its help cannot drift apart.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AppHome } from '../../stack/home.js';
import { type CoreState, runningCore } from '../core-state.js';
import { openProject, type Project, projectHome } from '../project/project.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** One line for the help. */
  description: string;
  /** The placeholder of a string's value in the help, e.g. DIR. */
  value?: string;
  short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** The values of a command's options as parsed: booleans are false when absent, strings undefined. */
export type OptionValues<O extends OptionSpecs> = {
  [K in keyof O]: O[K]['type'] extends 'boolean' ? boolean : string | undefined;
};

export interface CommandInput<O extends OptionSpecs> {
  options: OptionValues<O>;
  /** The words after the verb that are not options. */
  args: string[];
  /**
   * The project worked on (--project, else the nearest folder holding apprun/ from here up, else the built-in demo);
   * found when first asked for, so a command that needs none never reads one.
   */
  readonly project: Project;
  /** The app home: --home, else $APPRUN_HOME, else the project's own home. */
  readonly home: AppHome;
}

export interface Command<O extends OptionSpecs = OptionSpecs> {
  name: string;
  /** One line, for `apprun help`. */
  summary: string;
  /** What follows the verb besides options, e.g. `save [NAME] | list | restore NAME | rm NAME`. */
  args?: string;
  /** More lines for `apprun <verb> --help`. */
  details?: string;
  options: O;
  run(input: CommandInput<O>): Promise<void>;
}

/** Declares a command with its options' types kept for run(). */
export const defineCommand = <O extends OptionSpecs>(command: Command<O>): Command<O> => command;

/** A failure the CLI reports as one line on stderr, `apprun: <message>`, with its exit code (no stack trace). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  project: {
    type: 'string',
    value: 'DIR',
    description: 'the project (default: the nearest folder holding apprun/ from here up, else the built-in demo)',
  },
  home: {
    type: 'string',
    value: 'DIR',
    description: 'app home (default: $APPRUN_HOME, else the project’s own home under the OS user-data dir)',
  },
  help: { type: 'boolean', short: 'h', description: 'this help' },
} satisfies OptionSpecs;

/** The running core of this home, or a CliError saying how to start it. */
export async function requireRunning(home: AppHome): Promise<CoreState> {
  const state = await runningCore(home);
  if (!state) throw new CliError(`apprun is not running (home: ${home.root}); start it with \`apprun up\``);
  return state;
}

/** Parses a command's argv (after the verb) against its own options and the global ones; unknown flags are errors. */
export function parseCommandLine(
  command: Command,
  argv: string[],
): { input: CommandInput<OptionSpecs>; help: boolean } {
  const specs: OptionSpecs = { ...command.options, ...GLOBAL_OPTIONS };
  const options: ParseArgsConfig['options'] = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.short ? { short: spec.short } : {}) },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's wording ("Unknown option '--x'. To specify a positional argument starting with a '-', place it at the
    // end of the command after '--', as in '-- \"--x\"") is cut to its first sentence and pointed at the help.
    const first = (err as Error).message.split('. ')[0];
    throw new CliError(`${first} (apprun ${command.name} --help lists its options)`);
  }
  const values = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      parsed.values[name] ?? (spec.type === 'boolean' ? false : undefined),
    ]),
  );
  let project: Project | undefined;
  let home: AppHome | undefined;
  const input: CommandInput<OptionSpecs> = {
    options: values as OptionValues<OptionSpecs>,
    args: parsed.positionals,
    get project() {
      project ??= openProject(
        typeof values.project === 'string' ? values.project : (process.env.APPRUN_PROJECT ?? undefined),
      );
      return project;
    },
    get home() {
      home ??= new AppHome(typeof values.home === 'string' ? values.home : projectHome(this.project));
      return home;
    },
  };
  return { input, help: values.help === true };
}

const optionLines = (specs: OptionSpecs): string[] => {
  const left = Object.entries(specs).map(
    ([name, spec]) => `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.value ? ` ${spec.value}` : ''}`,
  );
  const width = Math.max(...left.map((l) => l.length));
  return Object.values(specs).map((spec, i) => `  ${left[i]!.padEnd(width)}  ${spec.description}`);
};

/** `apprun help`: every command with its summary, and the global options. */
export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'apprun — a local backend platform in one command',
    '',
    'usage: apprun <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    '`apprun <command> --help` shows a command’s own options.',
    '',
  ].join('\n');
}

/** `apprun <verb> --help`: its summary, its arguments and every option it takes. */
export function commandHelp(command: Command): string {
  const own = Object.keys(command.options).length ? ['', 'options:', ...optionLines(command.options)] : [];
  return [
    `usage: apprun ${command.name}${command.args ? ` ${command.args}` : ''} [options]`,
    '',
    command.summary,
    ...(command.details ? ['', command.details] : []),
    ...own,
    '',
    'options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
  ].join('\n');
}
