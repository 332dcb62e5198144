import { adminApi } from '../api/contract.js';
import type { ExplanationView } from '../api/views.js';
import { CliError, defineCommand, requireRunning } from './command.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const MARK = { pass: 'ok  ', fail: 'FAIL', info: 'note' } as const;

/** The explanation as a few lines: the verdict, each check, the tables' policies and counts, the code. */
export function formatExplanation(e: ExplanationView): string {
  const lines = [
    `${e.method} ${e.path}${e.caller ? ` as ${e.caller.email} (${e.caller.role}, ${e.caller.tenantName})` : ''}`,
  ];
  lines.push(`  → ${e.summary}`);
  for (const step of e.steps)
    lines.push(`  [${MARK[step.verdict as keyof typeof MARK] ?? step.verdict}] ${step.step}: ${step.detail}`);
  for (const t of e.tables) {
    lines.push(
      `  table ${t.schema}.${t.table}: RLS ${t.rlsEnabled ? 'on' : 'off'}${t.tenantPinned ? ', pinned to the tenant by the gateway' : ''}`,
    );
    for (const p of t.policies)
      lines.push(
        `    policy ${p.name} (${p.permissive ? 'permissive' : 'restrictive'}, ${p.command}, to ${p.roles.join(', ')})` +
          `${p.using ? ` using ${p.using}` : ''}${p.check ? ` check ${p.check}` : ''}`,
      );
  }
  if (e.code) lines.push(`  ${e.code.code}: ${e.code.meaning}`);
  if (e.rolledBack) lines.push('  the write ran in a transaction that was rolled back: nothing changed');
  if (e.traceId) lines.push(`  trace: ${e.traceId} (the Requests screen shows its spans)`);
  return lines.join('\n');
}

export const explainCommand = defineCommand({
  name: 'explain',
  summary: 'why a request gets what it gets (401, 403, hidden rows, an error), as a user; nothing is changed',
  args: '--as EMAIL METHOD PATH',
  details:
    'PATH is the gateway path with its query, e.g. /data/notes?select=title&done=is.false. A write (with --body) runs\n' +
    'in a transaction that is rolled back. Rows hidden by row-level security are counted, never shown.',
  options: {
    as: { type: 'string', value: 'EMAIL', description: 'the user to explain the request for (email or id)' },
    body: { type: 'string', value: 'JSON', description: "a write's JSON body" },
    json: { type: 'boolean', description: 'print the explanation as JSON' },
  },
  async run({ args, options, home }) {
    const [method, path, ...rest] = args;
    if (!options.as || !method || !path || rest.length)
      throw new CliError('usage: apprun explain --as EMAIL METHOD PATH [--body JSON]');
    const upper = method.toUpperCase();
    if (!METHODS.includes(upper)) throw new CliError(`unknown method ${method}: use one of ${METHODS.join(', ')}`);
    let body: unknown;
    if (options.body !== undefined) {
      try {
        body = JSON.parse(options.body);
      } catch {
        throw new CliError('--body is not valid JSON');
      }
    }
    const state = await requireRunning(home);
    const explanation = await adminApi(state).explain({
      as: options.as,
      method: upper as 'GET',
      path,
      ...(body !== undefined ? { body } : {}),
    });
    process.stdout.write(
      options.json ? `${JSON.stringify(explanation, null, 2)}\n` : `${formatExplanation(explanation)}\n`,
    );
  },
});
