import { createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import { DomainError } from '../errors.js';
import { type SigningKey, TOKEN_ALG } from './signing-keys.js';

export type AppRole = 'admin' | 'user';

/** What every gateway access token carries. db_role is the Postgres role PostgREST switches to. */
export interface AccessClaims {
  sub: string;
  email: string;
  tenant_id: string;
  role: AppRole;
  db_role: string;
  /** The Kratos session the token was minted from; logging out revokes it. */
  sid: string;
  /** Whether the user proved their address (POST /auth/verify): for a project's policies that require it. */
  email_verified?: boolean;
}

export const DB_ROLE: Record<AppRole, string> = { admin: 'apprun_admin', user: 'apprun_user' };

/** The claims of a token for an app user, in a session of its own (a login, acting as them, explaining as them). */
export function accessClaimsOf(
  user: { id: string; email: string; tenant_id: string; role: AppRole; email_verified?: boolean },
  sid: string,
): AccessClaims {
  return {
    sub: user.id,
    email: user.email,
    tenant_id: user.tenant_id,
    role: user.role,
    db_role: DB_ROLE[user.role],
    sid,
    ...(user.email_verified !== undefined ? { email_verified: user.email_verified } : {}),
  };
}
export const TOKEN_ISSUER = 'apprun-gateway';
/** Larger headers are refused before any parsing: a real token is a few hundred bytes. */
export const MAX_TOKEN_BYTES = 4096;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A refused credential: always unauthenticated (401), with a machine-readable code and a sentence for people. */
export class AuthError extends DomainError {
  constructor(code: string, message: string) {
    super('unauthenticated', code, message);
    this.name = 'AuthError';
  }
}

export class TokenIssuer {
  constructor(
    private readonly key: SigningKey,
    private readonly audience: string,
  ) {}

  async mint(
    claims: AccessClaims,
    ttlSeconds: number,
  ): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number }> {
    // iat_ms: when to the millisecond (iat is in seconds), so a user's tokens can be retired exactly at a change.
    const access_token = await new SignJWT({ ...claims, iat_ms: Date.now() })
      .setProtectedHeader({ alg: TOKEN_ALG, kid: this.key.kid, typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setAudience(this.audience)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.key.privateKey);
    return { access_token, token_type: 'Bearer', expires_in: ttlSeconds };
  }
}

const revokedError = () =>
  new AuthError(
    'session_revoked',
    'this token was retired: its session logged out, or its user disabled, deleted or given a new role; log in again',
  );

function claimsOf(payload: Record<string, unknown>): AccessClaims {
  const { sub, email, tenant_id, role, db_role, sid } = payload;
  if (
    typeof sub !== 'string' ||
    typeof email !== 'string' ||
    typeof tenant_id !== 'string' ||
    !UUID.test(tenant_id) ||
    typeof sid !== 'string'
  ) {
    throw new AuthError('token_invalid', 'token lacks the sub, email, tenant_id or sid claim');
  }
  if ((role !== 'admin' && role !== 'user') || db_role !== DB_ROLE[role]) {
    throw new AuthError('token_invalid', 'token has an unknown role');
  }
  return { sub, email, tenant_id, role, db_role, sid };
}

function explain(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof errors.JWTExpired) return new AuthError('token_expired', 'token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf')
      return new AuthError('token_not_yet_valid', 'token is not valid yet (nbf is in the future)');
    return new AuthError('token_invalid', `token claim "${err.claim}" is not accepted`);
  }
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return new AuthError('token_invalid', 'token signature does not verify');
  if (err instanceof errors.JWKSNoMatchingKey)
    return new AuthError('token_invalid', 'token is signed by a key this gateway does not publish');
  if (err instanceof errors.JOSEAlgNotAllowed)
    return new AuthError('token_invalid', `token algorithm is not accepted (only ${TOKEN_ALG})`);
  return new AuthError('token_invalid', 'token is malformed');
}

/**
 * Verifies bearer tokens. Verified tokens are cached until their own expiry (bounded in number), because the
 * signature check costs ~200 µs and the same token arrives on every request of a session.
 */
export class TokenVerifier {
  private readonly keySet: ReturnType<typeof createLocalJWKSet>;
  private readonly cache = new Map<string, { claims: AccessClaims; expiresAtMs: number; issuedAtMs: number }>();
  /** Sessions logged out, kept until every token minted from them has expired. */
  private readonly revoked = new Map<string, number>();
  /** Users whose tokens issued up to a moment are refused (disabled, deleted, role changed), until those expired. */
  private readonly retired = new Map<string, { upToMs: number; untilMs: number }>();

  constructor(
    jwks: JSONWebKeySet,
    private readonly audience: string,
    /** 0 turns the cache off (benchmarks of the uncached path). */
    private readonly maxCached = 10_000,
  ) {
    this.keySet = createLocalJWKSet(jwks);
  }

  /** Takes the Authorization header; returns the claims or throws AuthError. */
  async verifyHeader(header: string | undefined): Promise<AccessClaims> {
    if (header === undefined || header === '')
      throw new AuthError('token_missing', 'Authorization: Bearer <token> is required');
    if (header.length > MAX_TOKEN_BYTES)
      throw new AuthError('token_too_large', `token is larger than ${MAX_TOKEN_BYTES} bytes`);
    if (header.slice(0, 7).toLowerCase() !== 'bearer ')
      throw new AuthError('token_missing', 'Authorization must use the Bearer scheme');
    return this.verify(header.slice(7).trim());
  }

  /**
   * The claims of a token this verifier has verified already and that is still good (unexpired, not revoked); no
   * verification here, so undefined for anything else. For decisions that only refuse (the gateway's fast refusals).
   */
  cachedClaims(header: string | undefined): AccessClaims | undefined {
    if (header === undefined) return undefined;
    // The usual spelling first: no lowercased copy of the scheme, no trimmed copy of a token without spaces.
    if (!header.startsWith('Bearer ') && header.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    const last = header.charCodeAt(header.length - 1);
    const hit = this.cache.get(
      last === 0x20 || last === 0x09 || header.charCodeAt(7) === 0x20 ? header.slice(7).trim() : header.slice(7),
    );
    if (!hit || Date.now() >= hit.expiresAtMs || this.refused(hit.claims, hit.issuedAtMs)) return undefined;
    return hit.claims;
  }

  /** Rejects every token of this session from now on (until untilMs, after which they have expired anyway). */
  revokeSession(sid: string, untilMs: number): void {
    const now = Date.now();
    for (const [s, until] of this.revoked) if (until < now) this.revoked.delete(s);
    this.revoked.set(sid, untilMs);
  }

  /**
   * Refuses every token of this user issued until now (disabled, deleted, or a new role the old tokens would not
   * carry); tokens issued afterwards (enabled again, a login with the new role) pass. Kept until untilMs.
   */
  retireTokensOf(sub: string, untilMs: number, upToMs = Date.now()): void {
    const now = Date.now();
    for (const [s, r] of this.retired) if (r.untilMs < now) this.retired.delete(s);
    this.retired.set(sub, { upToMs, untilMs });
  }

  isRevoked(sid: string): boolean {
    return this.revoked.size > 0 && this.revoked.has(sid);
  }

  private refused(claims: AccessClaims, issuedAtMs: number): boolean {
    if (this.isRevoked(claims.sid)) return true;
    if (this.retired.size === 0) return false;
    const retired = this.retired.get(claims.sub);
    return retired !== undefined && issuedAtMs <= retired.upToMs;
  }

  async verify(token: string): Promise<AccessClaims> {
    const hit = this.cache.get(token);
    if (hit) {
      if (Date.now() >= hit.expiresAtMs) {
        this.cache.delete(token);
        throw new AuthError('token_expired', 'token has expired');
      }
      if (this.refused(hit.claims, hit.issuedAtMs)) throw revokedError();
      return hit.claims;
    }
    let claims: AccessClaims;
    let exp: number;
    let issuedAtMs: number;
    try {
      const { payload } = await jwtVerify(token, this.keySet, {
        algorithms: [TOKEN_ALG],
        issuer: TOKEN_ISSUER,
        audience: this.audience,
        requiredClaims: ['exp', 'iat'],
        clockTolerance: 5,
      });
      claims = claimsOf(payload);
      exp = payload.exp!;
      issuedAtMs = typeof payload.iat_ms === 'number' ? payload.iat_ms : payload.iat! * 1000;
    } catch (err) {
      throw explain(err);
    }
    if (this.refused(claims, issuedAtMs)) throw revokedError();
    if (this.maxCached === 0) return claims;
    if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(token, { claims, expiresAtMs: exp * 1000, issuedAtMs });
    return claims;
  }
}
