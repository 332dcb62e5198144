/** How a log line is coloured: the supervisor's own lines, errors, warnings; undefined for the rest. */
export function logLevel(line: string): 'error' | 'warn' | 'apprun' | undefined {
  if (line.startsWith('[apprun ')) return 'apprun';
  if (/\b(error|fatal|panic|failed)\b/i.test(line)) return 'error';
  if (/\b(warn|warning)\b/i.test(line)) return 'warn';
  return undefined;
}

export type LevelFilter = 'all' | 'warn' | 'error';

/**
 * The lines containing the filter text, whatever its case, at the level asked or above (warnings: warnings and
 * errors; the supervisor's own lines always show, they say why a service restarted).
 */
export function matchingLines(lines: string[], filter: string, level: LevelFilter = 'all'): string[] {
  const needle = filter.trim().toLowerCase();
  return lines.filter((l) => {
    if (needle && !l.toLowerCase().includes(needle)) return false;
    if (level === 'all') return true;
    const of = logLevel(l);
    return of === 'apprun' || of === 'error' || (level === 'warn' && of === 'warn');
  });
}
