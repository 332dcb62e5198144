/** Memory in MB (2^20 bytes, as the budget is stated); '—' before the first sample. */
export const mb = (bytes: number | undefined) => (bytes === undefined ? '—' : `${(bytes / 2 ** 20).toFixed(1)} MB`);
/** A file or object size: bytes, KiB or MiB (binary units, as the upload limits are stated). */
export const fileSize = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 2 ** 20
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
export const pct = (p: number | undefined) => (p === undefined ? '—' : `${p.toFixed(1)} %`);
/** CPU everywhere on the dashboard in one unit: percent of one core (a busy 2-core machine reads up to 200 %). */
export const cpu = (p: number | undefined) => (p === undefined ? '—' : `${p.toFixed(1)} % of a core`);

export function uptime(startedAt: number | undefined, now = Date.now()): string {
  if (!startedAt) return '—';
  const s = Math.max(0, Math.round((now - startedAt) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** ok under 80 % of the budget, warn up to 100 %, over beyond: the colour of the budget line and banner. */
export function budgetLevel(used: number, budget: number): 'ok' | 'warn' | 'over' {
  const ratio = used / budget;
  return ratio > 1 ? 'over' : ratio >= 0.8 ? 'warn' : 'ok';
}
