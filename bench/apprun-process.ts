import { adminApi } from '../server/api/contract.js';
import type { CoreState } from '../server/core-state.js';
import { DEFAULT_DEV_PASSWORD } from '../server/settings.js';

/** An access token for a seeded user, through a real login. */
export async function loginToken(
  state: Pick<CoreState, 'gatewayUrl' | 'adminToken'>,
  email = 'alice@test.com',
): Promise<string> {
  return (await adminApi(state).login(email, DEFAULT_DEV_PASSWORD)).access_token;
}

export const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
