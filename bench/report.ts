import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../stack/package-root.js';

export interface BenchReport {
  suite: string;
  startedAt: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  /** Named results; each is a flat record of numbers and strings. */
  results: Record<string, unknown>;
  /** KPI verdicts: what was measured against what target. */
  kpis: { name: string; target: string; measured: string; pass: boolean }[];
  markdown?: string;
}

export function machine(): BenchReport['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

export { median } from '../server/load/stats.js';

/** Writes bench/results/<suite>-<timestamp>.json and .md; returns the JSON path. */
async function writeReport(report: BenchReport, markdown: string): Promise<string> {
  const dir = path.join(packageRoot(), 'bench', 'results');
  await fs.mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const base = path.join(dir, `${report.suite}-${stamp}`);
  await fs.writeFile(`${base}.json`, JSON.stringify({ ...report, markdown }, null, 2));
  await fs.writeFile(`${base}.md`, markdown);
  return `${base}.json`;
}

export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  return [
    `| ${headers.join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Appends the KPI verdicts to the suite's Markdown, writes JSON + Markdown and prints them. */
export async function publishReport(report: BenchReport, body: string[]): Promise<void> {
  const markdown = [
    ...body,
    '',
    markdownTable(
      ['KPI', 'target', 'measured', 'verdict'],
      report.kpis.map((k) => [k.name, k.target, k.measured, k.pass ? 'pass' : 'FAIL']),
    ),
    '',
  ].join('\n');
  const file = await writeReport(report, markdown);
  process.stdout.write(`\n${markdown}\nwritten: ${file} (+ .md)\n`);
}
