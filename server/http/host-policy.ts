import { isIPv6 } from 'node:net';

/**
 * Which Host headers and Origins the gateway trusts (DNS-rebinding and cross-site defence).
 *
 * A rebinding page is served from a name its author controls and then points that name at 127.0.0.1: its requests
 * carry the attacker's name in Host. So the gateway answers only to loopback names and addresses (127/8, localhost,
 * *.localhost per RFC 6761, [::1]) on its own port, plus the names the user allowed. Nothing here is lenient on
 * purpose: a trailing dot (`localhost.`), IPv4 shorthands (`127.1`, `0x7f.0.0.1`, `2130706433`), IPv4-mapped IPv6,
 * zone ids and userinfo are refused; browsers never send them for the loopback URLs people type.
 */

/** A Host header or an Origin's authority, lowercase: a name, a dotted quad, or a bracketed canonical IPv6. */
export interface Authority {
  hostname: string;
  port?: number;
}

/** Entries of `allowedHosts` (settings.json / APPRUN_ALLOWED_HOSTS) at most. */
export const MAX_ALLOWED_HOSTS = 16;

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const OCTET = /^(?:0|[1-9][0-9]{0,2})$/;
const PORT = /^[1-9][0-9]{0,4}$/;
const NUMERIC_START = /^[0-9]/;
const MAX_AUTHORITY = 300;

function isDottedQuad(hostname: string): boolean {
  const parts = hostname.split('.');
  return parts.length === 4 && parts.every((p) => OCTET.test(p) && Number(p) <= 255);
}

function isHostname(hostname: string): boolean {
  if (hostname.length === 0 || hostname.length > 253) return false;
  const labels = hostname.split('.');
  const last = labels[labels.length - 1]!;
  // A numeric or hex last label makes a URL parser read the whole name as an IPv4 address: only a dotted quad is.
  if (NUMERIC_START.test(last) || last.startsWith('0x')) return isDottedQuad(hostname);
  return labels.every((l) => LABEL.test(l));
}

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`; anything else (garbage, userinfo, paths) is undefined. */
export function parseAuthority(value: string): Authority | undefined {
  if (value.length === 0 || value.length > MAX_AUTHORITY) return undefined;
  const text = value.toLowerCase();
  let hostname: string;
  /** What follows the host: '' or ':<port>'. */
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return undefined;
    const inner = text.slice(1, close);
    if (inner.includes('%') || !isIPv6(inner)) return undefined;
    hostname = new URL(`http://[${inner}]/`).hostname; // canonical form: [0:0:0:0:0:0:0:1] is [::1]
    rest = text.slice(close + 1);
  } else {
    const colon = text.indexOf(':');
    if (colon !== text.lastIndexOf(':')) return undefined;
    hostname = colon === -1 ? text : text.slice(0, colon);
    rest = colon === -1 ? '' : text.slice(colon);
    if (!isHostname(hostname)) return undefined;
  }
  if (rest === '') return { hostname };
  const digits = rest.slice(1);
  if (rest[0] !== ':' || !PORT.test(digits)) return undefined;
  const port = Number(digits);
  return port <= 65535 ? { hostname, port } : undefined;
}

/** 127.x.y.z, localhost, *.localhost or [::1], for a hostname parseAuthority produced. */
export function isLoopbackHostname(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]' || hostname.endsWith('.localhost')) return true;
  return hostname.startsWith('127.') && isDottedQuad(hostname);
}

/**
 * One `allowedHosts` entry, normalized: a name or address, optionally with `:port`. Wildcards are refused: a
 * reverse proxy has a known name, and `*.domain` would trust everyone who can mint names under that domain, which is
 * all a rebinding attack needs (the loopback `*.localhost` is built in).
 */
export function parseAllowedHost(entry: unknown): string {
  if (typeof entry !== 'string') throw new Error(`allowedHosts entries are strings, got ${JSON.stringify(entry)}`);
  if (entry.includes('*')) throw new Error(`allowedHosts entry "${entry}": wildcards are not accepted; list each name`);
  const authority = parseAuthority(entry);
  if (!authority) throw new Error(`allowedHosts entry "${entry}" is not a host name, address or host:port`);
  return authority.port === undefined ? authority.hostname : `${authority.hostname}:${authority.port}`;
}

/** The whole list, normalized; throws naming the first bad entry. */
export function parseAllowedHosts(list: unknown): string[] {
  if (!Array.isArray(list)) throw new Error('allowedHosts must be a list of host names or host:port');
  if (list.length > MAX_ALLOWED_HOSTS)
    throw new Error(`allowedHosts takes at most ${MAX_ALLOWED_HOSTS} entries, got ${list.length}`);
  return [...new Set(list.map(parseAllowedHost))];
}

/** APPRUN_ALLOWED_HOSTS: comma-separated, blanks ignored. */
export function parseAllowedHostsEnv(value: string): string[] {
  return parseAllowedHosts(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** An origin as browsers send it: lowercase scheme and host, no default port, no trailing slash. */
export function normalizeOrigin(origin: string): string {
  const url = new URL(origin);
  return url.origin;
}

/** Everything decided once at start, so a request costs a Set lookup in the common case. */
export class HostPolicy {
  /** Host headers accepted as they are: the gateway's own loopback authorities and allowed host:port entries. */
  private readonly exactHosts = new Set<string>();
  /** Allowed names without a port: any port. */
  private readonly anyPortNames = new Set<string>();
  /** Allowed name:port entries (normalized). */
  private readonly namePorts = new Set<string>();
  /** Origins of the dashboard itself, and the project's browser apps (its config's cors_origins). */
  private readonly ownOrigins = new Set<string>();
  readonly allowedHosts: readonly string[];

  constructor(
    readonly port: number,
    allowedHosts: readonly string[] = [],
    /** Whole origins (scheme://host[:port]) trusted as Origin only, never as Host. */
    allowedOrigins: readonly string[] = [],
  ) {
    this.allowedHosts = parseAllowedHosts(allowedHosts);
    for (const origin of allowedOrigins) this.ownOrigins.add(normalizeOrigin(origin));
    for (const name of ['127.0.0.1', 'localhost', '[::1]']) {
      this.exactHosts.add(`${name}:${port}`);
      if (port === 80) this.exactHosts.add(name);
      this.ownOrigins.add(port === 80 ? `http://${name}` : `http://${name}:${port}`);
    }
    for (const entry of this.allowedHosts) {
      if (parseAuthority(entry)!.port === undefined) this.anyPortNames.add(entry);
      else {
        this.namePorts.add(entry);
        this.exactHosts.add(entry);
      }
    }
  }

  /** Whether a Host header names this gateway: a loopback authority on its port, or an allowed host. */
  acceptsHost(host: string | undefined): boolean {
    if (host === undefined) return false;
    if (this.exactHosts.has(host)) return true;
    const authority = parseAuthority(host);
    if (!authority) return false;
    // No port in Host means the scheme's default: 80 (or 443 behind a TLS proxy, for an allowed name).
    if (isLoopbackHostname(authority.hostname)) return (authority.port ?? 80) === this.port;
    if (this.anyPortNames.has(authority.hostname)) return true;
    if (authority.port !== undefined) return this.namePorts.has(`${authority.hostname}:${authority.port}`);
    return this.namePorts.has(`${authority.hostname}:80`) || this.namePorts.has(`${authority.hostname}:443`);
  }

  /**
   * Whether an Origin may drive the gateway: an http(s) origin on a loopback name or address, any port (a dev app on
   * localhost:5173 is legitimate), or on an allowed host. `null` (sandboxed frames, file pages) is not.
   */
  trustsOrigin(origin: string): boolean {
    if (this.ownOrigins.has(origin)) return true;
    const lower = origin.toLowerCase();
    let rest: string;
    let defaultPort: number;
    if (lower.startsWith('http://')) [rest, defaultPort] = [origin.slice(7), 80];
    else if (lower.startsWith('https://')) [rest, defaultPort] = [origin.slice(8), 443];
    else return false;
    const authority = parseAuthority(rest);
    if (!authority) return false;
    if (isLoopbackHostname(authority.hostname) || this.anyPortNames.has(authority.hostname)) return true;
    return this.namePorts.has(`${authority.hostname}:${authority.port ?? defaultPort}`);
  }

  /** For messages: how to reach this gateway. */
  describe(): string {
    const own = `loopback names on port ${this.port} (127.0.0.1:${this.port}, localhost:${this.port})`;
    return this.allowedHosts.length ? `${own} or an allowed host (${this.allowedHosts.join(', ')})` : own;
  }
}
