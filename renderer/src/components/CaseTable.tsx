import type { BenchRunView } from '../../../server/api/contract';

type Case = NonNullable<BenchRunView['results'][number]['cases']>[number];

/** A matrix suite's cases (RBAC's role × action, isolation's attacks): what was asked, expected, observed, held. */
export function CaseTable({ cases, testId }: { cases: Case[]; testId: string }) {
  return (
    <div className="table-scroll">
      <table className="ports" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">case</th>
            <th scope="col">request</th>
            <th scope="col">expected</th>
            <th scope="col">observed</th>
            <th scope="col">held</th>
          </tr>
        </thead>
        <tbody>
          {cases.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>
                <code>{c.request}</code>
              </td>
              <td>{c.expected}</td>
              <td>{c.observed}</td>
              <td className={c.pass ? 'ok' : 'failure'}>{c.pass ? 'yes' : 'NO'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
