import { describe, expect, it } from 'vitest';
import {
  HostPolicy,
  isLoopbackHostname,
  parseAllowedHost,
  parseAllowedHosts,
  parseAllowedHostsEnv,
  parseAuthority,
} from './host-policy.js';

describe('Host and Origin classification', () => {
  const policy = new HostPolicy(8080);

  it('parses host, host:port and bracketed IPv6, lowercased, IPv6 in canonical form', () => {
    expect(parseAuthority('LocalHost:8080')).toEqual({ hostname: 'localhost', port: 8080 });
    expect(parseAuthority('127.0.0.1')).toEqual({ hostname: '127.0.0.1' });
    expect(parseAuthority('[0:0:0:0:0:0:0:1]:8080')).toEqual({ hostname: '[::1]', port: 8080 });
    expect(parseAuthority('[::0001]')).toEqual({ hostname: '[::1]' });
    expect(parseAuthority('proxy.example:443')).toEqual({ hostname: 'proxy.example', port: 443 });
  });

  it.each([
    '',
    ':8080',
    'localhost:',
    'localhost:0',
    'localhost:08080',
    'localhost:65536',
    'localhost:80:80',
    'localhost.', // a trailing dot is refused: never what a browser sends for a typed loopback URL
    'localhost..',
    '.localhost',
    'a..localhost',
    '-a.localhost',
    'a_b.localhost',
    'user@localhost',
    'localhost/x',
    'localhost 8080',
    'évil.example',
    '127.1', // IPv4 shorthands a URL parser would turn into 127.0.0.1: browsers send the dotted quad
    '0x7f.0.0.1',
    '2130706433',
    '127.0.0.01',
    '127.0.0.256',
    '127.0.0.1.',
    '::1',
    '[::1',
    '[::1]x',
    '[::1]:',
    '[fe80::1%25eth0]',
    '[not-v6]',
    'a'.repeat(301),
    `${'a'.repeat(64)}.localhost`,
  ])('refuses the garbage %j', (value) => {
    expect(parseAuthority(value)).toBeUndefined();
  });

  it('knows loopback: 127/8, localhost, *.localhost, [::1]', () => {
    for (const h of ['127.0.0.1', '127.255.0.9', 'localhost', 'app.localhost', 'a.b.localhost', '[::1]'])
      expect(isLoopbackHostname(h), h).toBe(true);
    for (const h of [
      '128.0.0.1',
      '10.0.0.1',
      '0.0.0.0',
      'localhost.example',
      'mylocalhost',
      'localhost.evil.example',
      '[::2]',
      '[::ffff:7f00:1]',
      '[::]',
    ]) {
      expect(isLoopbackHostname(h), h).toBe(false);
    }
  });

  it('accepts a loopback Host only on the gateway port', () => {
    for (const h of [
      '127.0.0.1:8080',
      'localhost:8080',
      '[::1]:8080',
      'LOCALHOST:8080',
      '127.3.4.5:8080',
      'app.localhost:8080',
      '[0::1]:8080',
    ])
      expect(policy.acceptsHost(h), h).toBe(true);
    for (const h of [
      undefined,
      'evil.example',
      'evil.example:8080',
      '127.0.0.1',
      'localhost',
      '127.0.0.1:8081',
      'localhost:80',
      '10.0.0.1:8080',
      'localhost.:8080',
      'garbage!!',
    ]) {
      expect(policy.acceptsHost(h), String(h)).toBe(false);
    }
  });

  it('accepts a port-less loopback Host when the gateway is on port 80', () => {
    const on80 = new HostPolicy(80);
    expect(on80.acceptsHost('localhost')).toBe(true);
    expect(on80.acceptsHost('127.0.0.1:80')).toBe(true);
    expect(on80.acceptsHost('localhost:8080')).toBe(false);
  });

  it('trusts http(s) loopback origins on any port, and nothing else', () => {
    for (const o of [
      'http://127.0.0.1:8080',
      'http://localhost:5173',
      'http://LOCALHOST:5173',
      'https://localhost',
      'http://[::1]:3000',
      'http://app.localhost:5173',
      'http://127.0.0.2',
    ]) {
      expect(policy.trustsOrigin(o), o).toBe(true);
    }
    for (const o of [
      'null',
      'http://evil.example',
      'https://evil.example:8080',
      'http://localhost.evil.example',
      'file://',
      'chrome-extension://abc',
      'ws://localhost:5173',
      'http://localhost:5173/',
      'http://localhost:5173, http://evil.example',
      'http://user@localhost',
      'http://127.1',
      '',
    ]) {
      expect(policy.trustsOrigin(o), o).toBe(false);
    }
  });

  it(
    'lets allowed hosts in: a bare name on any port, host:port on that port only (a port-less Host is 80 or ' + '443)',
    () => {
      const proxied = new HostPolicy(8080, ['Proxy.Example', 'dev.example:8443', 'tls.example:443']);
      expect(proxied.acceptsHost('proxy.example')).toBe(true);
      expect(proxied.acceptsHost('PROXY.example:9999')).toBe(true);
      expect(proxied.acceptsHost('dev.example:8443')).toBe(true);
      expect(proxied.acceptsHost('dev.example')).toBe(false);
      expect(proxied.acceptsHost('dev.example:8080')).toBe(false);
      expect(proxied.acceptsHost('tls.example')).toBe(true);
      expect(proxied.acceptsHost('sub.proxy.example')).toBe(false);
      expect(proxied.trustsOrigin('https://proxy.example')).toBe(true);
      expect(proxied.trustsOrigin('https://dev.example:8443')).toBe(true);
      expect(proxied.trustsOrigin('https://dev.example')).toBe(false);
      expect(proxied.trustsOrigin('https://tls.example')).toBe(true);
      expect(proxied.trustsOrigin('http://tls.example')).toBe(false);
      expect(proxied.describe()).toContain('proxy.example, dev.example:8443');
    },
  );
});

describe('allowedHosts entries', () => {
  it('normalizes names, addresses and host:port', () => {
    expect(parseAllowedHost('Proxy.Example')).toBe('proxy.example');
    expect(parseAllowedHost('proxy.example:8443')).toBe('proxy.example:8443');
    expect(parseAllowedHost('[0:0::1]:80')).toBe('[::1]:80');
    expect(parseAllowedHost('192.168.1.20')).toBe('192.168.1.20');
    expect(parseAllowedHosts(['a.example', 'A.example'])).toEqual(['a.example']);
    expect(parseAllowedHostsEnv(' a.example, b.example:81 ,,')).toEqual(['a.example', 'b.example:81']);
  });

  it('refuses wildcards, garbage, non-strings and more than 16 entries, naming the entry', () => {
    expect(() => parseAllowedHost('*.example.com')).toThrow(/wildcards are not accepted/);
    expect(() => parseAllowedHost('http://proxy.example')).toThrow(/"http:\/\/proxy.example" is not a host name/);
    expect(() => parseAllowedHost('proxy.example:99999')).toThrow(/not a host name/);
    expect(() => parseAllowedHost('')).toThrow(/not a host name/);
    expect(() => parseAllowedHost(42)).toThrow(/strings/);
    expect(() => parseAllowedHosts('proxy.example')).toThrow(/a list/);
    expect(() => parseAllowedHosts(Array.from({ length: 17 }, (_, i) => `h${i}.example`))).toThrow(/at most 16/);
    expect(() => new HostPolicy(8080, ['bad host'])).toThrow(/"bad host"/);
  });
});

describe('a project’s CORS origins', () => {
  it('are trusted as Origin, exactly, and never as Host', () => {
    const policy = new HostPolicy(8080, [], ['https://App.Example.test', 'http://notes.example.test:3000']);
    expect(policy.trustsOrigin('https://app.example.test')).toBe(true);
    expect(policy.trustsOrigin('http://notes.example.test:3000')).toBe(true);
    expect(policy.trustsOrigin('http://app.example.test')).toBe(false);
    expect(policy.trustsOrigin('https://app.example.test:8443')).toBe(false);
    expect(policy.trustsOrigin('https://evil.example')).toBe(false);
    expect(policy.acceptsHost('app.example.test')).toBe(false);
    expect(policy.trustsOrigin('http://localhost:5173')).toBe(true);
  });
});
