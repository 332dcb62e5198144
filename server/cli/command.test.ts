import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppHome } from '../../stack/home.js';
import { CliError, commandHelp, GLOBAL_OPTIONS, parseCommandLine, requireRunning, usage } from './command.js';
import { COMMANDS } from './commands.js';

const named = (name: string) => COMMANDS.find((c) => c.name === name)!;

describe('the command table', () => {
  it('has one entry per verb, each with a one-line summary', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      'init',
      'up',
      'status',
      'down',
      'start',
      'gateway',
      'service',
      'migration',
      'db',
      'gen',
      'functions',
      'kpi',
      'explain',
      'mail',
      'mcp',
      'report',
      'snapshot',
      'reset',
      'images',
      'export',
      'forward',
    ]);
    for (const c of COMMANDS) expect(c.summary, c.name).toMatch(/^[^\n]{10,100}$/);
  });

  it('`apprun help` lists every command with its summary, and the options every command takes', () => {
    const text = usage(COMMANDS);
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    for (const c of COMMANDS) expect(text).toContain(`  ${c.name.padEnd(width)}  ${c.summary}`);
    for (const name of Object.keys(GLOBAL_OPTIONS)) expect(text).toContain(`--${name}`);
  });

  it('`apprun <verb> --help` shows exactly the options the verb parses', () => {
    for (const c of COMMANDS) {
      const help = commandHelp(c);
      expect(help).toContain(`usage: apprun ${c.name}`);
      for (const [name, spec] of Object.entries(c.options)) {
        expect(help, `${c.name} --${name}`).toContain(`--${name}`);
        expect(help).toContain(spec.description);
        // every flag the help names is one the parser takes
        const argv = spec.type === 'boolean' ? [`--${name}`] : [`--${name}`, 'x'];
        expect(parseCommandLine(c, argv).input.options[name], `${c.name} --${name}`).toBe(
          spec.type === 'boolean' ? true : 'x',
        );
      }
    }
  });

  it('refuses a flag the verb does not take, pointing at its help', () => {
    expect(() => parseCommandLine(named('status'), ['--driver', 'docker'])).toThrow(
      /Unknown option '--driver' \(apprun status --help lists its options\)/,
    );
    expect(() => parseCommandLine(named('down'), ['--json'])).toThrow(CliError);
  });

  it('parses the verb’s arguments, the home and --help', () => {
    const { input, help } = parseCommandLine(named('snapshot'), ['restore', 'before', '--home', '/tmp/h', '-h']);
    expect(input.args).toEqual(['restore', 'before']);
    expect(input.home.root).toBe('/tmp/h');
    expect(input.options.branch).toBe(false);
    expect(help).toBe(true);
  });

  it('requireRunning says how to start apprun when nothing runs for the home', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-cli-'));
    try {
      await expect(requireRunning(new AppHome(dir))).rejects.toThrow(
        `apprun is not running (home: ${dir}); start it with \`apprun up\``,
      );
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
