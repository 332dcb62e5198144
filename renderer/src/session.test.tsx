import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LoginView } from '../../server/api/contract';
import { ApiError, api } from './api';
import { SessionProvider, storedSession, TenantScreen } from './session';

const login = (token: string): LoginView => ({
  access_token: token,
  token_type: 'Bearer' as const,
  expires_in: 900,
  session_token: 'kratos-session',
});

/** Two tenant screens under one provider, switched like App switches routes. */
function Dashboard({ route }: { route: 'functions' | 'storage' }) {
  return (
    <SessionProvider>
      {route === 'functions' ? (
        <TenantScreen title="Functions" what="Functions">
          {(s) => (
            <p data-testid="functions-of">
              functions of {s.email} with {s.token}
            </p>
          )}
        </TenantScreen>
      ) : (
        <TenantScreen title="Storage" what="Objects">
          {(s) => (
            <p data-testid="storage-of">
              objects of {s.email} with {s.token}
            </p>
          )}
        </TenantScreen>
      )}
    </SessionProvider>
  );
}

async function signIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.clear(screen.getByTestId('signin-email'));
  await user.type(screen.getByTestId('signin-email'), email);
  await user.type(screen.getByTestId('signin-password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('the tenant session', () => {
  beforeEach(() => sessionStorage.clear());

  it('shows the sign-in form, signs in with what was typed and hands the token to the screen', async () => {
    const spy = vi.spyOn(api, 'login').mockResolvedValue(login('token-bob'));
    render(<Dashboard route="functions" />);
    expect(screen.getByRole('heading', { name: 'Functions' })).toBeTruthy();
    expect(screen.queryByTestId('functions-of')).toBeNull();
    await signIn('bob@test.com', 'apprun-dev-password');
    expect(spy).toHaveBeenCalledWith('bob@test.com', 'apprun-dev-password');
    expect(screen.getByTestId('functions-of').textContent).toBe('functions of bob@test.com with token-bob');
    expect(screen.getByText(/Acting as bob@test.com/)).toBeTruthy();
    expect(screen.queryByTestId('signin-form')).toBeNull();
  });

  it('holds the session across screens, and signing out on one signs out of all', async () => {
    vi.spyOn(api, 'login').mockResolvedValue(login('token-alice'));
    const { rerender } = render(<Dashboard route="functions" />);
    await signIn('alice@test.com', 'apprun-dev-password');
    rerender(<Dashboard route="storage" />);
    expect(screen.getByTestId('storage-of').textContent).toBe('objects of alice@test.com with token-alice');
    await userEvent.click(screen.getByRole('button', { name: 'sign out' }));
    expect(screen.queryByTestId('storage-of')).toBeNull();
    expect(screen.getByTestId('signin-form')).toBeTruthy();
    rerender(<Dashboard route="functions" />);
    expect(screen.queryByTestId('functions-of')).toBeNull();
    expect(screen.getByTestId('signin-form')).toBeTruthy();
  });

  it('shows a refused sign-in with its code and message, and stays signed out', async () => {
    vi.spyOn(api, 'login').mockRejectedValue(
      new ApiError(401, 'invalid_credentials', 'the email or password is wrong'),
    );
    render(<Dashboard route="functions" />);
    await signIn('alice@test.com', 'wrong');
    expect(screen.getByRole('alert').textContent).toBe('invalid_credentials: the email or password is wrong');
    expect(screen.queryByTestId('functions-of')).toBeNull();
  });

  it('shows a plain Error (IPC) with code "error" rather than a blank code', async () => {
    vi.spyOn(api, 'login').mockRejectedValue(new Error('the apprun core is still starting'));
    render(<Dashboard route="functions" />);
    await signIn('alice@test.com', 'apprun-dev-password');
    expect(screen.getByRole('alert').textContent).toBe('error: the apprun core is still starting');
  });

  it('cannot be submitted twice while the first sign-in is on its way', async () => {
    let answer!: (v: LoginView) => void;
    const spy = vi.spyOn(api, 'login').mockReturnValue(new Promise((resolve) => (answer = resolve)));
    render(<Dashboard route="functions" />);
    await signIn('alice@test.com', 'apprun-dev-password');
    const button = screen.getByRole('button', { name: 'Sign in' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    await userEvent.click(button);
    expect(spy).toHaveBeenCalledTimes(1);
    answer(login('token-alice'));
    expect(await screen.findByTestId('functions-of')).toBeTruthy();
  });

  it('survives a reload (a new provider) until its token expires; signing out forgets it', async () => {
    vi.spyOn(api, 'login').mockResolvedValue(login('token-alice'));
    const first = render(<Dashboard route="functions" />);
    await signIn('alice@test.com', 'apprun-dev-password');
    first.unmount();
    const second = render(<Dashboard route="functions" />);
    expect(screen.getByTestId('functions-of').textContent).toBe('functions of alice@test.com with token-alice');
    await userEvent.click(screen.getByRole('button', { name: 'sign out' }));
    second.unmount();
    render(<Dashboard route="functions" />);
    expect(screen.getByTestId('signin-form')).toBeTruthy();
  });

  it('drops a stored session that has expired or is about to, or that is not one', () => {
    const now = 1_750_000_000_000;
    const store = (v: unknown) => sessionStorage.setItem('apprun-acting-as', JSON.stringify(v));
    store({ token: 't', email: 'a@b.c', expiresAt: now + 60_000 });
    expect(storedSession(now)?.token).toBe('t');
    store({ token: 't', email: 'a@b.c', expiresAt: now + 1000 });
    expect(storedSession(now)).toBeUndefined();
    store({ email: 'a@b.c' });
    expect(storedSession(now)).toBeUndefined();
    sessionStorage.setItem('apprun-acting-as', '{torn');
    expect(storedSession(now)).toBeUndefined();
  });
});
