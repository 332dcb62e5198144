import type { ShellLike, WebContentsLike } from './electron-like';

/** The app's web contents never navigate away or open windows of their own; links open in the OS browser. */
export function guardWebContents(contents: WebContentsLike, rendererUrl: string | undefined, shell: ShellLike): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (!url.startsWith('file://') && url !== rendererUrl) event.preventDefault();
  });
}
