import type pg from 'pg';
import { TOKEN_AUDIENCE } from '../../stack/services/postgrest.js';
import { Authorizer } from '../rbac/authorizer.js';
import type { ChangeFeed } from '../replica/change-feed.js';
import type { jwksOf, SigningKey } from './signing-keys.js';
import { TokenIssuer, TokenVerifier } from './tokens.js';

type Revocation =
  | { kind: 'session'; id: string; untilMs: number }
  | { kind: 'user'; id: string; untilMs: number; upToMs: number };

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
    /** Other gateways on the same database: what one retires or revokes, and its policy changes, reach the others. */
    private readonly changes?: ChangeFeed,
  ) {
    this.verifier = new TokenVerifier(jwks, TOKEN_AUDIENCE);
    this.issuer = new TokenIssuer(signingKey, TOKEN_AUDIENCE);
    changes?.on('revocations', {
      changed: (data) => {
        const r = data as Revocation;
        if (r.kind === 'session') this.verifier.revokeSession(r.id, r.untilMs);
        else this.verifier.retireTokensOf(r.id, r.untilMs, r.upToMs);
      },
    });
  }

  /** Loads the policies once Postgres is up, adding the defaults a tenant lacks. */
  async start(connectionString: string, db: pg.Pool, options: { migrate?: boolean } = {}): Promise<void> {
    this.loaded = await Authorizer.create(connectionString, options);
    if (this.changes) this.loaded.watch(this.changes);
    await this.loaded.sync(db);
    this.markLoaded();
  }

  /** Every token of this session is refused from now on, at every gateway (a logout). */
  revokeSession(sid: string, untilMs: number): void {
    this.verifier.revokeSession(sid, untilMs);
    void this.changes?.publish('revocations', { kind: 'session', id: sid, untilMs } satisfies Revocation);
  }

  /** Every token of this user issued until now is refused, at every gateway (disabled, deleted, a new role). */
  retireTokensOf(sub: string, untilMs: number): void {
    const upToMs = Date.now();
    this.verifier.retireTokensOf(sub, untilMs, upToMs);
    void this.changes?.publish('revocations', { kind: 'user', id: sub, untilMs, upToMs } satisfies Revocation);
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
