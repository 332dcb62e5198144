import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { SessionProvider, useTenantSession } from '../session';
import { TenantPolicies } from './TenantPolicies';

const api = vi.hoisted(() => ({
  policies: vi.fn(),
  savePolicies: vi.fn(),
  login: vi.fn(),
}));
vi.mock('../api', async (original) => ({ ...(await original<typeof import('../api')>()), api }));

function SignedIn() {
  const { session, setSession } = useTenantSession();
  if (!session) setSession({ token: 't', email: 'alice@test.com', expiresAt: Date.now() + 900_000 });
  return session ? <TenantPolicies /> : null;
}

describe('TenantPolicies', () => {
  it('shows the tenant’s rules as lines, refuses a bad line before sending, and saves the edited rules', async () => {
    api.policies.mockResolvedValue([{ role: 'admin', path: '/data/*', methods: ['GET', 'DELETE'] }]);
    api.savePolicies.mockImplementation(async (_t: string, rules: unknown) => rules);
    render(
      <SessionProvider>
        <SignedIn />
      </SessionProvider>,
    );
    const box = (await screen.findByLabelText('policies')) as HTMLTextAreaElement;
    await waitFor(() => expect(box.value).toBe('p, admin, /data/*, GET|DELETE'));
    await userEvent.clear(box);
    await userEvent.type(box, 'p, user, /data/notes, FETCH');
    await userEvent.click(screen.getByRole('button', { name: 'save policies' }));
    expect((await screen.findByRole('alert')).textContent).toContain('policies:1: "FETCH" is not one of');
    expect(api.savePolicies).not.toHaveBeenCalled();
    await userEvent.clear(box);
    await userEvent.type(box, 'p, user, /data/notes, get|post');
    await userEvent.click(screen.getByRole('button', { name: 'save policies' }));
    await screen.findByText('saved; effective now');
    expect(api.savePolicies).toHaveBeenCalledWith('t', [
      { role: 'user', path: '/data/notes', methods: ['GET', 'POST'] },
    ]);
    expect(box.value).toBe('p, user, /data/notes, GET|POST');
  });
});
