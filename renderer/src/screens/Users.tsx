import { type FormEvent, useState } from 'react';
import type { UserView } from '../../../server/api/contract';
import { api } from '../api';
import { actAs } from '../components/ActingAs';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { useTenantSession } from '../session';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';

const STATE_LABEL: Record<UserView['state'], string> = {
  active: 'active',
  disabled: 'disabled',
  'no-identity': 'no identity (cannot log in)',
};

function CreateUser({ tenants, onCreated }: { tenants: string[]; onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState(tenants[0] ?? '');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await api.createUser({ email, password, tenant: tenant || tenants[0] || '', role });
      setEmail('');
      setPassword('');
      onCreated();
    });
  };
  return (
    <form onSubmit={submit} className="toolbar wrap" data-testid="create-user" noValidate>
      <label>
        Email{' '}
        <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="new-user-email" />
      </label>
      <label>
        Password{' '}
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          placeholder="8 characters or more"
          data-testid="new-user-password"
        />
      </label>
      <label>
        Tenant{' '}
        <select value={tenant} onChange={(e) => setTenant(e.target.value)} data-testid="new-user-tenant">
          {tenants.map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
      </label>
      <label>
        Role{' '}
        <select value={role} onChange={(e) => setRole(e.target.value as 'user' | 'admin')} data-testid="new-user-role">
          <option value="user">user</option>
          <option value="admin">admin</option>
        </select>
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Create user
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

/** A user's row: act as them, disable or enable, set a new password, delete (after a confirmation). */
function UserRow({ user, onChanged }: { user: UserView; onChanged: () => void }) {
  const { session, setSession } = useTenantSession();
  const [password, setPassword] = useState<string>();
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useAction();
  const act = (fn: () => Promise<unknown>) =>
    void run(async () => {
      await fn();
      onChanged();
    });
  const acting = session?.email === user.email;
  return (
    <tr data-testid={`user-${user.email}`} data-state={user.state}>
      <th scope="row">
        {user.email}
        {user.from_config ? <span className="muted"> · config.toml</span> : null}
        {error ? <ErrorNotice error={error} /> : null}
      </th>
      <td>{user.tenant_name}</td>
      <td>{user.role}</td>
      <td>
        <span className={`badge badge-${user.state === 'active' ? 'healthy' : 'failed'}`}>
          {STATE_LABEL[user.state]}
        </span>
      </td>
      <td className="actions-cell">
        <button
          type="button"
          disabled={busy || acting || user.state !== 'active'}
          onClick={() => void run(async () => setSession(await actAs(user)))}
        >
          {acting ? 'acting as' : 'act as'}
        </button>
        {user.state !== 'no-identity' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => act(() => api.updateUser(user.id, { disabled: user.state === 'active' }))}
          >
            {user.state === 'active' ? 'disable' : 'enable'}
          </button>
        ) : null}
        {password === undefined ? (
          <button type="button" disabled={busy || user.state === 'no-identity'} onClick={() => setPassword('')}>
            new password
          </button>
        ) : (
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              act(async () => {
                await api.updateUser(user.id, { password });
                setPassword(undefined);
              });
            }}
          >
            <input
              type="password"
              value={password}
              autoComplete="new-password"
              aria-label={`new password for ${user.email}`}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button type="submit" disabled={busy}>
              set
            </button>
          </form>
        )}
        <button type="button" className="danger" disabled={busy} onClick={() => setConfirming(true)}>
          delete
        </button>
        <ConfirmDialog
          open={confirming}
          danger
          title={`Delete ${user.email}?`}
          body={`Their login and app user go, and any token they hold stops working now. Their tenant's rows stay.${
            user.from_config ? ' They are a dev user of config.toml: the next start creates them again.' : ''
          }`}
          confirmLabel="Delete the user"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            if (acting) setSession(undefined);
            act(() => api.deleteUser(user.id));
          }}
        />
      </td>
    </tr>
  );
}

/** Every tenant's users (Kratos identities with their tenant and role): create, disable, delete, reset, act as. */
export function Users() {
  const users = usePoll(() => api.users(), 10_000);
  if (users.loading && !users.data) return <Loading what="the users" />;
  const tenants = users.data?.tenants.map((t) => t.name) ?? [];
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {users.error ? <ErrorNotice error={users.error} /> : null}
      <CreateUser tenants={tenants} onCreated={users.refresh} />
      {users.data?.users.length ? (
        <div className="table-scroll">
          <table className="ports" data-testid="users">
            <thead>
              <tr>
                <th scope="col">email</th>
                <th scope="col">tenant</th>
                <th scope="col">role</th>
                <th scope="col">state</th>
                <th scope="col">actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <UserRow key={u.id} user={u} onChanged={users.refresh} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>No users yet: create one above, or list them in apprun/config.toml.</Empty>
      )}
    </section>
  );
}
