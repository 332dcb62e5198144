import type { UserView } from '../../../server/api/contract';
import { api } from '../api';
import { type TenantSession, useTenantSession } from '../session';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';
import { ErrorNotice } from './Notice';

/** Acts as a user: a token minted for the admin, no password asked (what a user's sign-in would give). */
export async function actAs(user: Pick<UserView, 'id'>): Promise<TenantSession> {
  const acting = await api.actAs(user.id);
  return {
    token: acting.access_token,
    email: acting.user.email,
    tenant: acting.user.tenant_name,
    role: acting.user.role,
    expiresAt: Date.now() + acting.expires_in * 1000,
  };
}

/**
 * The sidebar's one switcher for every tenant screen: who the dashboard acts as. The users are loaded again when the
 * list takes the focus, so a user created a moment ago is there.
 */
export function ActingAs() {
  const { session, setSession } = useTenantSession();
  const list = usePoll(() => api.users(), 0);
  const users = list.data?.users;
  const { busy, error, run } = useAction();
  const choose = (id: string) =>
    void run(async () => {
      if (!id) return setSession(undefined);
      const user = users?.find((u) => u.id === id);
      if (user) setSession(await actAs(user));
    });
  const current = users?.find((u) => u.email === session?.email)?.id ?? (session ? 'current' : '');
  return (
    <div className="acting-as" data-testid="acting-as">
      <label>
        Tenant user
        <select
          value={current}
          onFocus={list.refresh}
          onChange={(e) => choose(e.target.value)}
          disabled={busy}
          data-testid="acting-as-select"
        >
          <option value="">nobody</option>
          {session && !users?.some((u) => u.email === session.email) ? (
            <option value="current">{session.email}</option>
          ) : null}
          {users
            ?.filter((u) => u.state === 'active')
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.email} · {u.tenant_name} · {u.role}
              </option>
            ))}
        </select>
      </label>
      {(error ?? list.error) ? <ErrorNotice error={(error ?? list.error)!} /> : null}
    </div>
  );
}
