import type { ShellLike, WebContentsLike } from './electron-like';

/**
 * Whether a navigation stays on the app: the dev server's origin in development, else the built index.html itself
 * (any query or fragment). Any other file:// page, a remote site or a javascript: URL is somewhere else.
 */
export function isAppUrl(url: string, appUrl: string): boolean {
  let target: URL;
  let app: URL;
  try {
    target = new URL(url);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:')
    return target.protocol === 'file:' && target.host === app.host && target.pathname === app.pathname;
  return target.origin === app.origin;
}

/** Only web links are handed to the OS browser: file:, javascript:, custom schemes could run or open local things. */
export function isWebLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** The app's web contents never navigate away or open windows of their own; web links open in the OS browser. */
export function guardWebContents(contents: WebContentsLike, appUrl: string, shell: ShellLike): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isWebLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
}
