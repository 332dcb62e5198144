import type pg from 'pg';
import { DEFAULT_DEV_PASSWORD, type Settings } from '../settings.js';
import type { KratosClient } from './kratos-client.js';

/**
 * Gives every app user without one a Kratos identity (found by email, or created), linked through
 * app_private.users.kratos_identity_id. Idempotent: safe at every start. With a devPassword setting, the seeded users'
 * passwords follow it.
 */
export async function syncIdentities(db: pg.Pool, kratos: KratosClient, settings: Settings): Promise<number> {
  const { rows } = await db.query<{
    id: string;
    email: string;
    name: string;
    tenant_id: string;
    role: string;
    kratos_identity_id: string | null;
    from_config: boolean;
  }>('select id, email, name, tenant_id, role, kratos_identity_id, from_config from app_private.users order by email');
  let created = 0;
  // Side by side: each new identity costs Kratos a password hash (argon2id).
  const sync = async (user: (typeof rows)[number]) => {
    const metadata = { tenant_id: user.tenant_id, role: user.role };
    // The project's dev users (apprun/config.toml) get an identity with the dev password; signed-up ones have theirs.
    const seeded = user.from_config;
    let identityId = user.kratos_identity_id ?? (await kratos.findIdentityByEmail(user.email))?.id;
    if (!identityId && seeded) {
      identityId = await kratos.createIdentity(
        user.email,
        user.name,
        settings.devPassword ?? DEFAULT_DEV_PASSWORD,
        metadata,
      );
      created++;
    } else if (identityId && seeded && settings.devPassword) {
      await kratos.updateIdentity(identityId, {
        email: user.email,
        name: user.name,
        metadata,
        password: settings.devPassword,
      });
    }
    if (identityId && identityId !== user.kratos_identity_id) {
      await db.query('update app_private.users set kratos_identity_id = $1 where id = $2', [identityId, user.id]);
    }
  };
  await Promise.all(rows.map(sync));
  return created;
}
