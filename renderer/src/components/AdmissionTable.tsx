import type { AdmissionView } from '../../../server/api/contract';

const UPSTREAM_LABEL: Record<AdmissionView['upstreams'][number]['upstream'], string> = {
  postgrest: 'PostgREST',
  kratos: 'Kratos',
  minio: 'MinIO',
  temporal: 'Temporal',
};

/**
 * Admission control at the gateway, live: per tenant what was let through, refused as over its share (429) or as
 * overload (503) since start, and what is in flight and waiting now; per upstream the slots open (fewer than the
 * maximum while the gateway itself is saturated) and the queue.
 */
export function AdmissionTable({ admission }: { admission: AdmissionView }) {
  return (
    <section aria-labelledby="admission-title" data-testid="admission">
      <h2 id="admission-title">Admission</h2>
      {admission.tenants.length ? (
        <table className="ports numbers" data-testid="admission-tenants">
          <thead>
            <tr>
              <th scope="col">tenant</th>
              <th scope="col">plan</th>
              <th scope="col">admitted</th>
              <th scope="col">rate-limited (429)</th>
              <th scope="col">refused, overloaded (503)</th>
              <th scope="col">in flight</th>
              <th scope="col">queued</th>
            </tr>
          </thead>
          <tbody>
            {admission.tenants.map((t) => (
              <tr key={t.tenantId} data-testid={`admission-tenant-${t.tenantId}`}>
                <th scope="row">{t.name}</th>
                <td>{t.plan ?? '—'}</td>
                <td>{t.admitted}</td>
                <td className={t.rateLimited ? 'warn' : undefined}>{t.rateLimited}</td>
                <td className={t.overloaded ? 'warn' : undefined}>{t.overloaded}</td>
                <td>{t.inFlight}</td>
                <td>{t.queued}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>No tenant traffic through the gateway yet.</p>
      )}
      <table className="ports numbers" data-testid="admission-upstreams">
        <thead>
          <tr>
            <th scope="col">upstream</th>
            <th scope="col">slots open</th>
            <th scope="col">in flight</th>
            <th scope="col">queued</th>
            <th scope="col">longest wait</th>
          </tr>
        </thead>
        <tbody>
          {admission.upstreams.map((u) => (
            <tr key={u.upstream}>
              <th scope="row">{UPSTREAM_LABEL[u.upstream]}</th>
              <td className={u.capacity < u.maxInFlight ? 'warn' : undefined}>
                {u.capacity} of {u.maxInFlight}
              </td>
              <td>{u.inFlight}</td>
              <td>
                {u.queued} (at most {u.maxQueued})
              </td>
              <td>{u.maxWaitMs} ms</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
