import { type Dispatcher, request } from 'undici';
import { DomainError } from '../errors.js';

interface UiMessage {
  id: number;
  text: string;
  type: string;
}
interface FlowError {
  ui?: { messages?: UiMessage[]; nodes?: { messages?: UiMessage[] }[] };
  error?: { id?: string; message?: string; reason?: string };
}

/** Every message Kratos attached to a failed flow, flow-level and per field. */
function messagesOf(body: FlowError): UiMessage[] {
  return [...(body.ui?.messages ?? []), ...(body.ui?.nodes ?? []).flatMap((n) => n.messages ?? [])].filter(
    (m) => m.type === 'error',
  );
}

// Kratos message ids: https://www.ory.sh/docs/kratos/concepts/ui-messages
const INVALID_CREDENTIALS = 4000006;
const DUPLICATE_IDENTIFIER = 4000007;

/** One answer for a code that is wrong, used, expired or was never sent: it tells nobody whether an account exists. */
export const wrongCode = () =>
  new DomainError('invalid', 'code_invalid', 'the code is wrong, used or expired: ask for a new one');

export interface KratosSession {
  sessionToken: string;
  sessionId: string;
  identityId: string;
  /** At registration: the verification flow whose code Kratos mailed to the address. */
  verificationFlowId?: string;
}

/**
 * Ory Kratos through its self-service API flows (never by writing its tables) and its admin API.
 * Kratos' answers become gateway errors: invalid credentials are one 401 whatever the cause, so the gateway reveals
 * no more about who exists than Kratos does.
 */
export type IdentityState = 'active' | 'inactive';

export interface ExportedIdentity {
  traits: { email: string; name: string };
  metadata: { tenant_id: string; role: string };
  hashedPassword?: string;
}

export class KratosClient {
  constructor(
    private readonly publicUrl: string,
    private readonly adminUrl: string,
    /** Before each call: Kratos asleep for idleness is woken (see idle/idle-sleeper.ts). */
    private readonly ready: () => Promise<void> = async () => undefined,
  ) {}

  private async call<T>(
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: T }> {
    await this.ready();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as 'GET',
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch {
      throw new DomainError('unavailable', 'identity_unavailable', 'Kratos is not answering; check `apprun status`');
    }
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : undefined) as T };
  }

  private async flow(kind: 'registration' | 'login'): Promise<string> {
    const res = await this.call<{ id: string }>('GET', `${this.publicUrl}/self-service/${kind}/api`);
    if (res.status !== 200)
      throw new DomainError('bad_upstream', 'identity_error', `Kratos did not open a ${kind} flow (${res.status})`);
    return res.body.id;
  }

  async register(email: string, password: string, name: string): Promise<KratosSession> {
    const flow = await this.flow('registration');
    const res = await this.call<
      FlowError & {
        session_token?: string;
        session?: { id: string };
        identity?: { id: string };
        continue_with?: { action: string; flow?: { id: string } }[];
      }
    >('POST', `${this.publicUrl}/self-service/registration?flow=${flow}`, {
      method: 'password',
      password,
      traits: { email, name },
    });
    if (res.status === 200 && res.body.identity && res.body.session_token && res.body.session) {
      return {
        sessionToken: res.body.session_token,
        sessionId: res.body.session.id,
        identityId: res.body.identity.id,
        verificationFlowId: res.body.continue_with?.find((c) => c.action === 'show_verification_ui')?.flow?.id,
      };
    }
    const messages = messagesOf(res.body);
    if (messages.some((m) => m.id === DUPLICATE_IDENTIFIER))
      throw new DomainError('conflict', 'already_registered', 'an account with this email exists already');
    if (res.status === 400 && messages.length)
      throw new DomainError('invalid', 'registration_rejected', messages.map((m) => m.text).join(' '));
    throw new DomainError(
      'bad_upstream',
      'identity_error',
      `Kratos refused the registration (${res.status}): ` +
        `${res.body.error?.reason ?? res.body.error?.message ?? 'no reason given'}`,
    );
  }

  async login(email: string, password: string): Promise<KratosSession> {
    const flow = await this.flow('login');
    const res = await this.call<
      FlowError & { session_token?: string; session?: { id: string; identity: { id: string } } }
    >('POST', `${this.publicUrl}/self-service/login?flow=${flow}`, { method: 'password', identifier: email, password });
    if (res.status === 200 && res.body.session_token && res.body.session) {
      return {
        sessionToken: res.body.session_token,
        sessionId: res.body.session.id,
        identityId: res.body.session.identity.id,
      };
    }
    const messages = messagesOf(res.body);
    if (res.status === 400 && (messages.some((m) => m.id === INVALID_CREDENTIALS) || messages.length)) {
      throw new DomainError('unauthenticated', 'invalid_credentials', 'email or password is wrong');
    }
    // Right credentials, inactive identity: Kratos answers 401 (an admin disabled the account).
    if (res.status === 401)
      throw new DomainError('unauthenticated', 'account_disabled', 'this account is disabled; an admin can enable it');
    throw new DomainError('bad_upstream', 'identity_error', `Kratos refused the login (${res.status})`);
  }

  /** The session behind a session token, or undefined when it is unknown, expired or revoked. */
  async whoami(sessionToken: string): Promise<{ sessionId: string; identityId: string } | undefined> {
    const res = await this.call<{ id: string; active: boolean; identity: { id: string } }>(
      'GET',
      `${this.publicUrl}/sessions/whoami`,
      undefined,
      {
        'x-session-token': sessionToken,
      },
    );
    if (res.status !== 200 || !res.body.active) return undefined;
    return { sessionId: res.body.id, identityId: res.body.identity.id };
  }

  /** Revokes the session; true when Kratos knew it. */
  async logout(sessionToken: string): Promise<boolean> {
    const res = await this.call('DELETE', `${this.publicUrl}/self-service/logout/api`, { session_token: sessionToken });
    return res.status === 204;
  }

  // --- codes by mail (recovery, verification): Kratos' courier sends them to the mail catcher ---

  /** Opens a recovery or verification flow and has Kratos mail a code to the address; returns the flow's id. */
  async mailCode(kind: 'recovery' | 'verification', email: string): Promise<string> {
    const opened = await this.call<{ id: string }>('GET', `${this.publicUrl}/self-service/${kind}/api`);
    if (opened.status !== 200)
      throw new DomainError('bad_upstream', 'identity_error', `Kratos did not open a ${kind} flow (${opened.status})`);
    const sent = await this.call<FlowError & { state?: string }>(
      'POST',
      `${this.publicUrl}/self-service/${kind}?flow=${opened.body.id}`,
      { method: 'code', email },
    );
    if (sent.status === 400 && messagesOf(sent.body).length)
      throw new DomainError(
        'invalid',
        'email_invalid',
        messagesOf(sent.body)
          .map((m) => m.text)
          .join(' '),
      );
    if (sent.status !== 200)
      throw new DomainError('bad_upstream', 'identity_error', `Kratos did not send the ${kind} code (${sent.status})`);
    return opened.body.id;
  }

  /** Submits a verification code; false when it is wrong, used or expired. */
  async verify(flowId: string, code: string): Promise<boolean> {
    const res = await this.call<FlowError & { state?: string }>(
      'POST',
      `${this.publicUrl}/self-service/verification?flow=${flowId}`,
      { method: 'code', code },
    );
    return res.status === 200 && res.body.state === 'passed_challenge';
  }

  /**
   * Submits a recovery code and, when it is right, sets the new password through the settings flow the recovery
   * opens (with the session it grants). `wrong_code` when the code is wrong, used or expired; Kratos' own sentence
   * when the password is refused (too short, too like the email).
   */
  async recover(flowId: string, code: string, password: string): Promise<{ identityId: string }> {
    const res = await this.call<
      FlowError & {
        continue_with?: { action: string; ory_session_token?: string; flow?: { id: string } }[];
      }
    >('POST', `${this.publicUrl}/self-service/recovery?flow=${flowId}`, { method: 'code', code });
    const token = res.body?.continue_with?.find((c) => c.action === 'set_ory_session_token')?.ory_session_token;
    const settings = res.body?.continue_with?.find((c) => c.action === 'show_settings_ui')?.flow?.id;
    if (!token || !settings) throw wrongCode();
    const set = await this.call<FlowError & { identity?: { id: string } }>(
      'POST',
      `${this.publicUrl}/self-service/settings?flow=${settings}`,
      { method: 'password', password },
      { 'x-session-token': token },
    );
    if (set.status === 400 && messagesOf(set.body).length)
      throw new DomainError(
        'invalid',
        'password_rejected',
        `${messagesOf(set.body)
          .map((m) => m.text)
          .join(' ')} The code is spent: ask for a new one.`,
      );
    if (set.status !== 200 || !set.body.identity)
      throw new DomainError('bad_upstream', 'identity_error', `Kratos did not set the new password (${set.status})`);
    await this.logout(token);
    return { identityId: set.body.identity.id };
  }

  // --- admin API ---

  async findIdentityByEmail(email: string): Promise<{ id: string } | undefined> {
    const res = await this.call<{ id: string }[]>(
      'GET',
      `${this.adminUrl}/admin/identities?credentials_identifier=${encodeURIComponent(email)}`,
    );
    if (res.status !== 200) throw new Error(`Kratos admin: list identities answered ${res.status}`);
    return res.body[0];
  }

  async createIdentity(
    email: string,
    name: string,
    password: string,
    metadata: { tenant_id: string; role: string },
  ): Promise<string> {
    const res = await this.call<{ id: string; error?: { message: string } }>(
      'POST',
      `${this.adminUrl}/admin/identities`,
      {
        schema_id: 'default',
        traits: { email, name },
        credentials: { password: { config: { password } } },
        metadata_public: metadata,
      },
    );
    if (res.status !== 201)
      throw new Error(
        `Kratos admin: create identity ${email} answered ${res.status}: ${res.body?.error?.message ?? ''}`,
      );
    return res.body.id;
  }

  /** Replaces traits and metadata, and the password when one is given; the state is active unless said. */
  async updateIdentity(
    id: string,
    update: {
      email: string;
      name: string;
      metadata: { tenant_id: string; role: string };
      password?: string;
      state?: IdentityState;
    },
  ): Promise<void> {
    const res = await this.call('PUT', `${this.adminUrl}/admin/identities/${id}`, {
      schema_id: 'default',
      state: update.state ?? 'active',
      traits: { email: update.email, name: update.name },
      metadata_public: update.metadata,
      ...(update.password ? { credentials: { password: { config: { password: update.password } } } } : {}),
    });
    if (res.status !== 200) throw new Error(`Kratos admin: update identity ${id} answered ${res.status}`);
  }

  /** An identity with its password hash, for carrying it over a reset (`apprun reset --keep-users`). */
  async exportIdentity(id: string): Promise<ExportedIdentity | undefined> {
    const res = await this.call<{
      traits: { email: string; name: string };
      metadata_public: { tenant_id: string; role: string };
      credentials?: { password?: { config?: { hashed_password?: string } } };
    }>('GET', `${this.adminUrl}/admin/identities/${id}?include_credential=password`);
    if (res.status !== 200) return undefined;
    return {
      traits: res.body.traits,
      metadata: res.body.metadata_public,
      hashedPassword: res.body.credentials?.password?.config?.hashed_password,
    };
  }

  /** Creates an identity from an export: same traits and metadata, the same password (its hash imported). */
  async importIdentity(identity: ExportedIdentity): Promise<string> {
    const res = await this.call<{ id: string; error?: { message: string } }>(
      'POST',
      `${this.adminUrl}/admin/identities`,
      {
        schema_id: 'default',
        traits: identity.traits,
        metadata_public: identity.metadata,
        ...(identity.hashedPassword
          ? { credentials: { password: { config: { hashed_password: identity.hashedPassword } } } }
          : {}),
      },
    );
    if (res.status !== 201)
      throw new Error(
        `Kratos admin: import identity ${identity.traits.email} answered ${res.status}: ${res.body?.error?.message ?? ''}`,
      );
    return res.body.id;
  }

  /** Every identity's state, by id (an inactive one cannot log in). */
  async identityStates(): Promise<Map<string, IdentityState>> {
    const states = new Map<string, IdentityState>();
    // Kratos pages identities; a local install holds a few hundred at most, so a page of 1000 is all of them.
    const res = await this.call<{ id: string; state: IdentityState }[]>(
      'GET',
      `${this.adminUrl}/admin/identities?page_size=1000`,
    );
    if (res.status !== 200) throw new Error(`Kratos admin: list identities answered ${res.status}`);
    for (const identity of res.body) states.set(identity.id, identity.state);
    return states;
  }

  async identityState(id: string): Promise<IdentityState | undefined> {
    const res = await this.call<{ state: IdentityState }>('GET', `${this.adminUrl}/admin/identities/${id}`);
    return res.status === 200 ? res.body.state : undefined;
  }

  /** Ends every session of an identity (its session tokens stop working). */
  async revokeSessions(id: string): Promise<void> {
    const res = await this.call('DELETE', `${this.adminUrl}/admin/identities/${id}/sessions`);
    if (res.status !== 204 && res.status !== 404)
      throw new Error(`Kratos admin: revoke sessions of ${id} answered ${res.status}`);
  }

  async deleteIdentity(id: string): Promise<void> {
    await this.call('DELETE', `${this.adminUrl}/admin/identities/${id}`);
  }
}
