import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FakeShell, FakeWebContents, settle } from './test-support/fake-electron';
import { guardWebContents, isAppUrl } from './window-guards';

const builtApp = pathToFileURL('/opt/apprun/out/renderer/index.html').href;
const devApp = 'http://localhost:5173/';

function guarded(appUrl: string) {
  const contents = new FakeWebContents();
  const shell = new FakeShell();
  guardWebContents(contents, appUrl, shell);
  return { contents, shell };
}

describe('navigation', () => {
  it("stays on the built app's own index.html, whatever its query or fragment", () => {
    const { contents } = guarded(builtApp);
    expect(contents.navigate(builtApp)).toBe(true);
    expect(contents.navigate(`${builtApp}#/settings`)).toBe(true);
    expect(contents.navigate(`${builtApp}?tab=logs`)).toBe(true);
  });

  it('is prevented to any other file, a remote site, or a javascript: or data: URL', () => {
    const { contents } = guarded(builtApp);
    for (const url of [
      'file:///etc/passwd',
      pathToFileURL('/opt/apprun/out/renderer/other.html').href,
      'https://example.com/',
      'http://127.0.0.1:8080/ui/',
      'javascript:alert(1)',
      'data:text/html,hi',
      'not a url',
    ]) {
      expect(contents.navigate(url), url).toBe(false);
    }
  });

  it("stays on the dev server's origin in development and is prevented anywhere else", () => {
    const { contents } = guarded(devApp);
    expect(contents.navigate(devApp)).toBe(true);
    expect(contents.navigate('http://localhost:5173/index.html')).toBe(true);
    expect(contents.navigate('http://localhost:5174/')).toBe(false);
    expect(contents.navigate('https://localhost:5173/')).toBe(false);
    expect(contents.navigate(builtApp)).toBe(false);
  });

  it('isAppUrl refuses everything when the app URL itself is unusable', () => {
    expect(isAppUrl(builtApp, '')).toBe(false);
  });
});

describe('window.open and target=_blank links', () => {
  it('never open a window; http(s) links go to the OS browser', async () => {
    const { contents, shell } = guarded(builtApp);
    expect(contents.windowOpenHandler?.({ url: 'https://temporal.io/docs' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'http://127.0.0.1:9001/browser' })).toEqual({ action: 'deny' });
    await settle();
    expect(shell.opened).toEqual(['https://temporal.io/docs', 'http://127.0.0.1:9001/browser']);
  });

  it('do not hand file:, javascript:, custom-scheme or malformed URLs to the OS', async () => {
    const { contents, shell } = guarded(builtApp);
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'vscode://open?file=/etc/passwd',
      'data:text/html,hi',
      'https//missing-colon',
    ]) {
      expect(contents.windowOpenHandler?.({ url }), url).toEqual({ action: 'deny' });
    }
    await settle();
    expect(shell.opened).toEqual([]);
  });
});
