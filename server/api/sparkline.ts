// Shared by the KPIs screen and the POC report: the same history drawn the same way.

/** Points of a sparkline polyline in a width × height box ('' for fewer than two values). */
export function sparkPoints(values: number[], width: number, height: number): string {
  if (values.length < 2) return '';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return values
    .map((v, i) => {
      const x = (i / (values.length - 1)) * (width - 2) + 1;
      const y = hi === lo ? height / 2 : height - 1 - ((v - lo) / (hi - lo)) * (height - 2);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
