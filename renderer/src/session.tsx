import { createContext, type FormEvent, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { api } from './api';
import { ErrorNotice } from './components/Notice';
import { useAction } from './use-action';

/**
 * The tenant user the dashboard acts as on tenant screens (data, functions, workflows, outbox, storage). Kept in the
 * tab's session storage, so a reload keeps it; it ends with its token.
 */
export interface TenantSession {
  token: string;
  email: string;
  /** When the token expires (ms since the epoch): the session ends then. */
  expiresAt: number;
  tenant?: string;
  role?: string;
}

const STORAGE_KEY = 'apprun-acting-as';

/** The stored session, unless it is gone, unreadable or expires within seconds. */
export function storedSession(now = Date.now()): TenantSession | undefined {
  try {
    const s = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as TenantSession | null;
    return s && typeof s.token === 'string' && typeof s.expiresAt === 'number' && s.expiresAt > now + 5000
      ? s
      : undefined;
  } catch {
    return undefined;
  }
}

const SessionContext = createContext<{ session?: TenantSession; setSession: (s?: TenantSession) => void }>({
  setSession: () => undefined,
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setState] = useState<TenantSession | undefined>(() => storedSession());
  const setSession = useCallback((s?: TenantSession) => {
    if (s) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(STORAGE_KEY);
    setState(s);
  }, []);
  // The session ends with its token: asking again beats calls refused one by one.
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => setSession(undefined), Math.max(0, session.expiresAt - Date.now() - 5000));
    return () => clearTimeout(timer);
  }, [session, setSession]);
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
    void run(async () => {
      const login = await api.login(email, password);
      setSession({ token: login.access_token, email, expiresAt: Date.now() + login.expires_in * 1000 });
    });
  };
  return (
    <form onSubmit={submit} data-testid="signin-form" noValidate>
      <p className="muted">
        {what} belong to a tenant: pick a user under “Acting as” in the sidebar, or sign in as one (seeded:
        alice@test.com, bob@test.com, charlie@test.com; dev password apprun-dev-password).
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
      Acting as {session.email}
      {session.tenant ? ` (${session.tenant}, ${session.role})` : ''} ·{' '}
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
