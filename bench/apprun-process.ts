import { request } from 'undici';
import type { CoreState } from '../server/core.js';
import { DEFAULT_DEV_PASSWORD } from '../server/settings.js';

/** An access token for a seeded user, through a real login. */
export async function loginToken(state: CoreState, email = 'alice@test.com'): Promise<string> {
  const res = await request(`${state.gatewayUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEFAULT_DEV_PASSWORD }),
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${await res.body.text()}`);
  return ((await res.body.json()) as { access_token: string }).access_token;
}

export async function adminGet<T>(state: CoreState, p: string): Promise<T> {
  const res = await request(`${state.gatewayUrl}${p}`, { headers: { 'x-apprun-admin-token': state.adminToken } });
  return (await res.body.json()) as T;
}

export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
