/** How a log line is coloured: the supervisor's own lines, errors, warnings; undefined for the rest. */
export function logLevel(line: string): 'error' | 'warn' | 'apprun' | undefined {
  if (line.startsWith('[apprun ')) return 'apprun';
  if (/\b(error|fatal|panic|failed)\b/i.test(line)) return 'error';
  if (/\b(warn|warning)\b/i.test(line)) return 'warn';
  return undefined;
}

/** The lines containing the filter text, whatever its case; all of them for an empty filter. */
export function matchingLines(lines: string[], filter: string): string[] {
  const needle = filter.trim().toLowerCase();
  return needle ? lines.filter((l) => l.toLowerCase().includes(needle)) : lines;
}
