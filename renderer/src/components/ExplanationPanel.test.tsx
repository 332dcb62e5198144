import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ExplanationView, TraceDetailView } from '../../../server/api/views';
import { ExplanationPanel } from './ExplanationPanel';
import { Waterfall } from './Waterfall';

const hidden: ExplanationView = {
  method: 'GET',
  path: '/data/notes?done=is.false',
  caller: { email: 'bob@x.test', tenant: 't1', tenantName: 'Acme', role: 'user', dbRole: 'apprun_user' },
  status: 200,
  error: null,
  message: null,
  executed: true,
  rolledBack: false,
  traceId: 'a'.repeat(32),
  summary: '200: notes: 3 match, 1 visible, 2 hidden by `notes_tenant`',
  steps: [
    { step: 'token', verdict: 'pass', detail: 'a token of bob@x.test' },
    { step: 'rls', verdict: 'info', detail: '3 match, 1 visible, 2 hidden by `notes_tenant`' },
  ],
  rbac: { allowed: true, rule: 'p, user, t1, /data/*, GET', rules: [] },
  tables: [
    {
      schema: 'api',
      table: 'notes',
      kind: 'table',
      rlsEnabled: true,
      tenantPinned: true,
      policies: [
        {
          name: 'notes_tenant',
          command: 'ALL',
          permissive: true,
          roles: ['apprun_user'],
          using: '(tenant_id = apprun.tenant_id())',
          check: null,
        },
      ],
      matching: 3,
      visible: 1,
      hidden: 2,
      sentence: '3 match, 1 visible, 2 hidden by `notes_tenant`',
    },
  ],
  code: null,
};

describe('ExplanationPanel', () => {
  it('says why first, then each check, the policy with its expression and the counts', () => {
    render(<ExplanationPanel explanation={hidden} />);
    expect(screen.getByText(/2 hidden by `notes_tenant`$/, { selector: 'strong' })).toBeTruthy();
    expect(screen.getByText('(tenant_id = apprun.tenant_id())')).toBeTruthy();
    expect(screen.getByTestId('explained-table').textContent).toContain('api.notes — 3 match, 1 visible, 2 hidden');
    expect(screen.getAllByRole('listitem')[0]!.textContent).toContain('token: a token of bob@x.test');
  });

  it('lists the role’s rules and the missing one for a denial, and the code’s meaning', () => {
    render(
      <ExplanationPanel
        explanation={{
          ...hidden,
          status: 403,
          error: 'forbidden',
          tables: [],
          rbac: { allowed: false, rule: 'p, user, t1, /data/*, DELETE', rules: ['p, user, t1, /data/*, GET'] },
          code: { code: 'forbidden', meaning: 'no rule allows it' },
        }}
      />,
    );
    expect(screen.getByText(/The role's 1 rules/).textContent).toContain('missing: p, user, t1, /data/*, DELETE');
    expect(screen.getByText('no rule allows it', { exact: false })).toBeTruthy();
  });
});

describe('Waterfall', () => {
  it('draws a bar per span, the upstream phases indented', () => {
    const trace = {
      durationMs: 4,
      spans: [
        { name: 'postgrest', startMs: 1, durationMs: 2, depth: 1, attributes: { status: 200 } },
        { name: 'plan', startMs: 1, durationMs: 1, depth: 2 },
      ],
    } as TraceDetailView;
    render(<Waterfall trace={trace} />);
    const rows = screen.getAllByTestId('span');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('postgrest status: 200');
    const bar = rows[1]!.querySelector('.waterfall-bar') as HTMLElement;
    expect(bar.className).toContain('depth-2');
    expect(bar.style.left).toBe('25%');
    expect(bar.style.width).toBe('25%');
  });
});
