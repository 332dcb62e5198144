import type { ProgressEvent } from '../../../stack/spec.js';

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '—';
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function formatPercent(p: number | undefined): string {
  return p === undefined ? '—' : `${p.toFixed(1)}%`;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One line per progress event, with the time since start, e.g. "[  1.2s] postgres   applying migration 001 (50%)". */
export function progressPrinter(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {
  const t0 = performance.now();
  return (e: ProgressEvent): void => {
    const elapsed = ((performance.now() - t0) / 1000).toFixed(1).padStart(5);
    const pct = e.fraction !== undefined && e.fraction < 1 ? ` (${Math.round(e.fraction * 100)}%)` : '';
    write(`[${elapsed}s] ${(e.service ?? 'core').padEnd(10)} ${e.step}${pct}`);
  };
}
