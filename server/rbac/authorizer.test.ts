import { describe, expect, it } from 'vitest';
import type { AccessClaims } from '../auth/tokens.js';
import { Authorizer, DEFAULT_POLICIES } from './authorizer.js';

const T = '00000000-0000-4000-8000-000000000001';
const user = (sub: string, role: 'admin' | 'user'): AccessClaims => ({
  sub,
  email: `${sub}@x`,
  tenant_id: T,
  role,
  db_role: `apprun_${role}`,
  sid: 's',
});

async function authorizer(): Promise<Authorizer> {
  const a = await Authorizer.inMemory();
  await a.replacePolicies(T, DEFAULT_POLICIES);
  await a.linkUser('u-admin', 'admin', T);
  await a.linkUser('u-user', 'user', T);
  return a;
}

describe('Authorizer', () => {
  it('follows the default policies per role', async () => {
    const a = await authorizer();
    // An allowed request names the rule that matched (the trace's RBAC span shows it).
    expect(a.check(user('u-admin', 'admin'), '/data/products', 'DELETE')).toEqual({
      allowed: true,
      rule: `p, admin, ${T}, /data/*, DELETE`,
    });
    expect(a.check(user('u-user', 'user'), '/data/products', 'GET')).toEqual({
      allowed: true,
      rule: `p, user, ${T}, /data/*, GET`,
    });
    expect(a.check(user('u-user', 'user'), '/data/products', 'DELETE')).toEqual({
      allowed: false,
      missingRule: `p, user, ${T}, /data/*, DELETE`,
    });
    expect(a.check(user('u-user', 'user'), '/functions/echo/invoke', 'POST').allowed).toBe(true);
    expect(a.check(user('u-user', 'user'), '/functions/echo', 'DELETE').allowed).toBe(false);
  });

  it('denies a user who has no role link, whatever the token claims', async () => {
    const a = await authorizer();
    expect(a.check(user('stranger', 'admin'), '/data/products', 'GET').allowed).toBe(false);
  });

  it('drops cached decisions when policies or role links change', async () => {
    const a = await authorizer();
    const bob = user('u-user', 'user');
    expect(a.check(bob, '/data/products', 'POST').allowed).toBe(true);
    await a.replacePolicies(
      T,
      DEFAULT_POLICIES.filter((p) => !(p.role === 'user' && p.path === '/data/*')),
    );
    expect(a.check(bob, '/data/products', 'POST').allowed).toBe(false);
    await a.linkUser('u-user', 'admin', T);
    expect(a.check(bob, '/data/products', 'POST').allowed).toBe(true);
  });

  it('lists the policies grouped by role and path', async () => {
    const a = await authorizer();
    const listed = await a.policies(T);
    expect(listed).toHaveLength(DEFAULT_POLICIES.length);
    expect(listed.find((p) => p.role === 'user' && p.path === '/data/*')?.methods.sort()).toEqual([
      'GET',
      'PATCH',
      'POST',
      'PUT',
    ]);
  });
});
