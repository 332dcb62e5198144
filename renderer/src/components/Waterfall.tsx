import type { TraceDetailView } from '../../../server/api/views';
import { duration, waterfall } from '../screens/requests-model';

const attributesText = (attributes: Record<string, string | number | boolean> | undefined) =>
  attributes
    ? Object.entries(attributes)
        .map(([k, v]) => `${k}: ${v}`)
        .join(' · ')
    : '';

/** One request's spans as bars over its time: the gateway's hops, and the upstream's own phases indented. */
export function Waterfall({ trace }: { trace: TraceDetailView }) {
  const bars = waterfall(trace.spans, trace.durationMs);
  return (
    <table className="waterfall" data-testid="waterfall">
      <thead>
        <tr>
          <th scope="col">span</th>
          <th scope="col">time</th>
          <th scope="col" className="waterfall-track-head">
            0 — {duration(trace.durationMs)}
          </th>
        </tr>
      </thead>
      <tbody>
        {bars.map(({ span, leftPct, widthPct }) => (
          // A span is one hop at one moment: its name and start tell it apart from every other of the request.
          <tr key={`${span.name}@${span.startMs}:${span.depth}`} data-testid="span">
            <th scope="row" className={`waterfall-name depth-${span.depth}`} title={attributesText(span.attributes)}>
              {span.name}
              {span.attributes ? <span className="muted"> {attributesText(span.attributes)}</span> : null}
            </th>
            <td className="num">{duration(span.durationMs)}</td>
            <td className="waterfall-track">
              <span
                className={`waterfall-bar depth-${span.depth}`}
                style={{ left: `${leftPct}%`, width: `${widthPct}%` }}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
