import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { adminApi } from '../server/api/contract';
import type { CoreState } from '../server/core-state';
import { CoreProcess } from './core-process';
import { type DashboardSource, DashboardWindow } from './dashboard-window';
import type { ElectronLike } from './electron-like';
import { registerIpcRelay } from './ipc-relay';
import { StatusTray } from './tray';
import { guardWebContents } from './window-guards';

export interface DesktopAppOptions {
  /** The bundled main process' directory (out/main): the preload and renderer sit beside it, the app root two up. */
  mainDir: string;
  /** The renderer's dev server (`electron-vite dev` sets ELECTRON_RENDERER_URL); absent, the built files load. */
  rendererUrl?: string;
  fetch?: typeof fetch;
  log?: (line: string) => void;
}

/** A started app: its quit sequence (what the menu, the tray and before-quit run). */
export interface DesktopApp {
  quit(): Promise<void>;
}

// The main process stays thin: a window, the tray, the menu, the single-instance lock; the core does the work.
export function startDesktopApp(electron: ElectronLike, options: DesktopAppOptions): DesktopApp | undefined {
  const { app, Menu, ipcMain, shell } = electron;
  const fetchImpl = options.fetch ?? fetch;
  const log = options.log ?? ((line: string) => console.log(`[apprun] ${line}`));
  const rendererFile = path.join(options.mainDir, '..', 'renderer', 'index.html');
  const source: DashboardSource = options.rendererUrl ? { url: options.rendererUrl } : { file: rendererFile };
  const appUrl = options.rendererUrl ?? pathToFileURL(rendererFile).href;

  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return undefined;
  }

  const core = new CoreProcess(path.join(options.mainDir, '..', '..'), electron.utilityProcess);
  const window = new DashboardWindow(
    electron.BrowserWindow,
    path.join(options.mainDir, '..', 'preload', 'index.cjs'),
    source,
  );
  const openWindow = () => window.open();
  let stopping: Promise<void> | undefined;
  // One stop however many quits are asked for; app.exit skips before-quit, so nothing else can end the app meanwhile.
  const quit = () => (stopping ??= core.stop().then(() => app.exit(0)));

  app.on('second-instance', openWindow);
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, appUrl, shell));
  app.on('before-quit', (event) => {
    event.preventDefault();
    void quit();
  });
  app.on('window-all-closed', () => undefined); // keep running in the tray

  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        {
          label: 'apprun',
          submenu: [
            { label: 'Open dashboard', click: openWindow },
            { type: 'separator' },
            { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => void quit() },
          ],
        },
        { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { role: 'togglefullscreen' }] },
      ]),
    );
    registerIpcRelay(ipcMain, () => core.state, fetchImpl);
    const tray = new StatusTray(electron, openWindow, () => void quit());
    openWindow();
    let state: CoreState;
    try {
      state = await core.start(log);
    } catch (error) {
      log(`the core did not start: ${(error as Error).message}`); // the tray stays down; quitting still works
      return;
    }
    setInterval(async () => {
      tray.update(
        await adminApi(state, { fetchImpl, timeoutMs: 2000 })
          .stack()
          .catch(() => undefined),
      );
    }, 2000);
  });
  return { quit };
}
