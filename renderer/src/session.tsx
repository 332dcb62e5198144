import { createContext, type FormEvent, type ReactNode, useContext, useState } from 'react';
import { api } from './api';
import { ErrorNotice } from './components/Notice';
import { useAction } from './use-action';

/** The tenant user the dashboard acts as on tenant screens (functions, workflows, outbox, storage); memory only. */
export interface TenantSession {
  token: string;
  email: string;
}

const SessionContext = createContext<{ session?: TenantSession; setSession: (s?: TenantSession) => void }>({
  setSession: () => undefined,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<TenantSession>();
  return <SessionContext.Provider value={{ session, setSession }}>{children}</SessionContext.Provider>;
}

/** The tenant session of the dashboard, and the way to change it. */
export const useTenantSession = () => useContext(SessionContext);

export function SignIn({ what }: { what: string }) {
  const { setSession } = useContext(SessionContext);
  const [email, setEmail] = useState('alice@test.com');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => setSession({ token: (await api.login(email, password)).access_token, email }));
  };
  return (
    <form onSubmit={submit} data-testid="signin-form" noValidate>
      <p className="muted">
        {what} belong to a tenant: sign in as one of its users (seeded: alice@test.com, bob@test.com, charlie@test.com;
        dev password apprun-dev-password).
      </p>
      <label>
        Email{' '}
        <input
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          autoComplete="username"
          data-testid="signin-email"
        />
      </label>
      <label>
        Password{' '}
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          data-testid="signin-password"
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Sign in
      </button>
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}

/** Who is signed in, and the way out. */
export function SignedInAs() {
  const { session, setSession } = useContext(SessionContext);
  if (!session) return null;
  return (
    <p className="muted">
      Signed in as {session.email} ·{' '}
      <button type="button" onClick={() => setSession(undefined)}>
        sign out
      </button>
    </p>
  );
}

/** A tenant screen: the sign-in form until there is a session, then the screen with who is signed in. */
export function TenantScreen({
  title,
  what,
  children,
}: {
  title: string;
  what: string;
  children: (session: TenantSession) => ReactNode;
}) {
  const { session } = useContext(SessionContext);
  const id = `${title.toLowerCase()}-title`;
  return (
    <section aria-labelledby={id}>
      <h1 id={id}>{title}</h1>
      {session ? (
        <>
          <SignedInAs />
          {children(session)}
        </>
      ) : (
        <SignIn what={what} />
      )}
    </section>
  );
}
