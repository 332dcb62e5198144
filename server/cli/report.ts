import fs from 'node:fs';
import path from 'node:path';
import { adminApi } from '../api/contract.js';
import { defineCommand, requireRunning } from './command.js';

export const reportCommand = defineCommand({
  name: 'report',
  summary: 'write the POC report (Markdown + self-contained HTML) from the stored KPI runs',
  options: {
    out: { type: 'string', value: 'DIR', description: 'where apprun-poc-report.md and .html go (default: here)' },
  },
  async run({ options, home }) {
    const state = await requireRunning(home);
    const out = options.out ?? '.';
    const api = adminApi(state, { timeoutMs: 15_000 });
    fs.mkdirSync(out, { recursive: true });
    for (const format of ['md', 'html'] as const) {
      const file = path.join(out, `apprun-poc-report.${format}`);
      fs.writeFileSync(file, await api.report(format));
      process.stdout.write(`wrote ${file}\n`);
    }
  },
});
