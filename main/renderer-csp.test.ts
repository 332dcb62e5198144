import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../server/ui/csp';

// The desktop window loads the dashboard from file://, where no response header can carry a policy (Electron's
// webRequest sees no headers for file:), so renderer/index.html carries it in a <meta>. Web mode serves the same file
// with the gateway's header on top (server/ui/plugin.ts); the two must say the same thing.

const root = path.join(__dirname, '..');
const html = fs.readFileSync(path.join(root, 'renderer', 'index.html'), 'utf8');
const META = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"\s*\/?>/i;

type Policy = Map<string, string[]>;

function parse(policy: string): Policy {
  return new Map(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!.toLowerCase(), sources]),
  );
}

function metaPolicy(): Policy {
  const content = META.exec(html)?.[1];
  if (!content) throw new Error('renderer/index.html has no Content-Security-Policy <meta>');
  return parse(content);
}

/** The web mode's header (the gateway's, for /ui). */
function webModePolicy(): Policy {
  return parse(DASHBOARD_CSP);
}

describe("the renderer's Content-Security-Policy", () => {
  it('comes before anything it governs', () => {
    const at = html.search(META);
    expect(at).toBeGreaterThan(-1);
    for (const tag of ['<script', '<link', '<style']) {
      const first = html.indexOf(tag);
      if (first !== -1) expect(at, tag).toBeLessThan(first);
    }
  });

  it('allows only the app itself: its own scripts, no eval, no inline script, and no connections elsewhere', () => {
    const policy = metaPolicy();
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
  });

  it("says what the web mode's header says, but frame-ancestors (which a <meta> cannot carry)", () => {
    const web = webModePolicy();
    expect(web.get('frame-ancestors')).toEqual(["'none'"]);
    web.delete('frame-ancestors');
    expect(Object.fromEntries(metaPolicy())).toEqual(Object.fromEntries(web));
  });
});
