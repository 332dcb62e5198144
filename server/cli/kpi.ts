import { CliError, defineCommand, requireRunning } from './command.js';

export const kpiCommand = defineCommand({
  name: 'kpi',
  summary: 'run the KPI suites on the running apprun and print the verdicts (exit 1 if one fails)',
  options: {
    suite: {
      type: 'string',
      value: 'a,b',
      description: 'the suites to run (default all): data, auth, wasm, resources, start, isolation, rbac, workflow',
    },
    profile: {
      type: 'string',
      value: 'P',
      description: 'quick (about a minute) or full (a few minutes); default quick',
    },
    json: { type: 'boolean', description: 'machine-readable output' },
  },
  async run({ options, home }) {
    const state = await requireRunning(home);
    const profile = options.profile ?? 'quick';
    if (profile !== 'quick' && profile !== 'full') throw new CliError(`--profile is quick or full, not "${profile}"`);
    // Loaded here: the API client and its suite names are this command's alone.
    const { parseSuites, runKpis } = await import('./internal/kpi-run.js');
    process.exitCode = await runKpis(state, { suites: parseSuites(options.suite), profile, json: options.json });
  },
});
