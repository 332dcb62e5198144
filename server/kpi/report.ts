import { DECISION_LABELS } from '../api/schemas/kpi.js';
import { sparkPoints } from '../api/sparkline.js';
import type { BenchRun, KpisView } from './bench-runs.js';

export interface PocReport {
  markdown: string;
  html: string;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const when = (at?: number) => (at ? new Date(at).toISOString().replace('T', ' ').slice(0, 19) : '—');

/** The view's decision as the report words it: Go, or what blocks it (failed, stale or never measured). */
export function recommendation(view: KpisView): { go: boolean; blocking: string[] } {
  return { go: view.decision === 'go', blocking: view.blocking.map((k) => `${k.name} (${k.verdict})`) };
}

/** A sparkline of a KPI's history as inline SVG (no script, no external asset). */
export function sparkline(values: number[], width = 120, height = 24): string {
  const points = sparkPoints(values, width, height);
  if (!points) return '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="history"><polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="${points}"/></svg>`;
}

/** A bar chart of the latest latency percentiles (the data suite's) as inline SVG. */
function latencyBars(values: Record<string, number>): string {
  const bars = [
    ['gateway p95', values.gatewayP95Ms],
    ['reference p95', values.referenceP95Ms],
    ['gateway p99', values.gatewayP99Ms],
    ['reference p99', values.referenceP99Ms],
  ].filter((b): b is [string, number] => Number.isFinite(b[1]));
  if (!bars.length) return '';
  const max = Math.max(...bars.map((b) => b[1]));
  const rows = bars
    .map(([label, v], i) => {
      const w = Math.max(1, (v / max) * 300);
      return `<text x="0" y="${i * 22 + 15}" font-size="12">${esc(label)}</text><rect x="110" y="${i * 22 + 4}" width="${w.toFixed(1)}" height="14" fill="#2563eb"/><text x="${(115 + w).toFixed(1)}" y="${i * 22 + 15}" font-size="12">${v} ms</text>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="520" height="${bars.length * 22 + 4}" role="img" aria-label="latency percentiles">${rows}</svg>`;
}

/**
 * The POC summary report from the stored runs: the environment, each KPI's method, targets, measurement and
 * verdict, the isolation and RBAC cases, the retry timeline, and the Go/No-Go recommendation. Markdown, and one
 * self-contained HTML file (inline CSS and SVG).
 */
export function buildReport(view: KpisView, runs: BenchRun[], now = Date.now()): PocReport {
  const latest = (suite: string) =>
    [...runs]
      .reverse()
      .flatMap((r) =>
        r.results.filter((x) => x.suite === suite && x.state === 'done').map((x) => ({ run: r, result: x })),
      )[0];
  const lastRun = runs.at(-1);
  const machine = lastRun?.machine;
  const { go, blocking } = recommendation(view);
  const word = DECISION_LABELS[view.decision];
  const verdictText = go
    ? `all ${view.total} KPIs pass.`
    : `${view.passing} of ${view.total} KPIs pass; blocking: ${blocking.join('; ')}.`;
  const verdictLine = `**${word}**: ${verdictText}`;
  const env = machine
    ? [
        `- CPU: ${machine.cpuModel}, ${machine.cores} cores; memory ${machine.memoryGb} GB; ${machine.os}`,
        `- Node ${machine.node}${machine.electron ? `, Electron ${machine.electron}` : ''}; driver ${machine.driver}`,
        ...Object.entries(machine.services).map(([s, v]) => `- ${s}: ${v}`),
      ]
    : ['- no run stored yet'];
  const cases = (suite: string) => latest(suite)?.result.cases ?? [];
  const caseTable = (suite: string) => {
    const list = cases(suite);
    if (!list.length) return ['(not run)'];
    return [
      '| case | request | expected | observed | |',
      '|---|---|---|---|---|',
      ...list.map(
        (c) => `| ${c.name} | \`${c.request}\` | ${c.expected} | ${c.observed} | ${c.pass ? 'pass' : 'FAIL'} |`,
      ),
    ];
  };
  const timeline = latest('workflow')?.result.timeline ?? [];
  const markdown = [
    '# apprun POC report',
    '',
    `Generated ${when(now)} UTC from ${runs.length} stored run(s); the latest started ${when(lastRun?.startedAt)} UTC.`,
    '',
    `## Recommendation\n\n${verdictLine}`,
    '',
    '## Environment',
    '',
    ...env,
    '',
    '## KPIs',
    '',
    '| KPI | method | POC target | apprun target | measured | when | verdict |',
    '|---|---|---|---|---|---|---|',
    ...view.kpis.map(
      (k) =>
        `| ${k.name} | ${k.method} | ${k.pocTarget} | ${k.target} | ${k.measured ?? '—'} | ${when(k.at)} | ${k.verdict} |`,
    ),
    '',
    '## Tenant isolation cases',
    '',
    ...caseTable('isolation'),
    '',
    '## RBAC cases',
    '',
    ...caseTable('rbac'),
    '',
    '## Workflow retry timeline',
    '',
    ...(timeline.length ? timeline.map((t) => `- ${t}`) : ['(not run)']),
    '',
  ].join('\n');

  const row = (cells: string[], tag = 'td') => `<tr>${cells.map((c) => `<${tag}>${c}</${tag}>`).join('')}</tr>`;
  const caseHtml = (suite: string) =>
    cases(suite).length
      ? `<table>${row(['case', 'request', 'expected', 'observed', ''], 'th')}${cases(suite)
          .map((c) =>
            row([
              esc(c.name),
              `<code>${esc(c.request)}</code>`,
              esc(c.expected),
              esc(c.observed),
              c.pass ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>',
            ]),
          )
          .join('')}</table>`
      : '<p>(not run)</p>';
  const data = latest('data')?.result.values;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>apprun POC report</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#111}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f4f6}.pass{color:#15803d;font-weight:600}.fail{color:#b91c1c;font-weight:600}.stale,.not-run{color:#92400e}
.go{font-size:1.2em;padding:.6em;border-radius:6px}.go.yes{background:#dcfce7}.go.no{background:#fee2e2}code{font-size:12px}</style></head>
<body><h1>apprun POC report</h1>
<p>Generated ${esc(when(now))} UTC from ${runs.length} stored run(s); the latest started ${esc(when(lastRun?.startedAt))} UTC.</p>
<h2>Recommendation</h2><p class="go ${go ? 'yes' : 'no'}"><b>${word}</b>: ${esc(verdictText)}</p>
<h2>Environment</h2><ul>${env.map((l) => `<li>${esc(l.slice(2))}</li>`).join('')}</ul>
<h2>KPIs</h2><table>${row(['KPI', 'method', 'POC target', 'apprun target', 'measured', 'history', 'when', 'verdict'], 'th')}${view.kpis
    .map((k) =>
      row([
        esc(k.name),
        esc(k.method),
        esc(k.pocTarget),
        esc(k.target),
        esc(k.measured ?? '—'),
        sparkline(k.trend),
        esc(when(k.at)),
        `<span class="${k.verdict}">${k.verdict}</span>`,
      ]),
    )
    .join('')}</table>
${data ? `<h2>Data API latency at 500 req/s</h2>${latencyBars(data)}` : ''}
<h2>Tenant isolation cases</h2>${caseHtml('isolation')}
<h2>RBAC cases</h2>${caseHtml('rbac')}
<h2>Workflow retry timeline</h2>${timeline.length ? `<ul>${timeline.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : '<p>(not run)</p>'}
</body></html>
`;
  return { markdown, html };
}
