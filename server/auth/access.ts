import type pg from 'pg';
import { TOKEN_AUDIENCE } from '../../stack/services/postgrest.js';
import { Authorizer } from '../rbac/authorizer.js';
import type { jwksOf, SigningKey } from './signing-keys.js';
import { TokenIssuer, TokenVerifier } from './tokens.js';

/**
 * Who a caller is and what they may do: the gateway's token issuer and verifier, its public keys, and the tenants'
 * RBAC policies (Casbin, kept in Postgres). Every tenant route, the data API's fast lane and the auth routes share it.
 */
export class Access {
  readonly verifier: TokenVerifier;
  readonly issuer: TokenIssuer;
  private loaded?: Authorizer;
  private markLoaded!: () => void;
  /** Resolves once the policies are loaded: for a feature whose start uses them. */
  readonly policiesLoaded = new Promise<void>((resolve) => (this.markLoaded = resolve));

  constructor(
    signingKey: SigningKey,
    readonly jwks: ReturnType<typeof jwksOf>,
  ) {
    this.verifier = new TokenVerifier(jwks, TOKEN_AUDIENCE);
    this.issuer = new TokenIssuer(signingKey, TOKEN_AUDIENCE);
  }

  /** Loads the policies once Postgres is up, adding the defaults a tenant lacks. */
  async start(connectionString: string, db: pg.Pool): Promise<void> {
    this.loaded = await Authorizer.create(connectionString);
    await this.loaded.sync(db);
    this.markLoaded();
  }

  /** The policies; the gateway serves no request before start() has loaded them. */
  get authorizer(): Authorizer {
    if (!this.loaded) throw new Error('the RBAC policies are used before the platform loaded them');
    return this.loaded;
  }

  async stop(): Promise<void> {
    await this.loaded?.close();
  }
}
