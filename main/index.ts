import path from 'node:path';
import { BrowserWindow, Menu, app, shell } from 'electron';
import type { StackView } from '../server/api/contract';
import { CoreProcess } from './core-process';
import { registerIpcRelay } from './ipc-relay';
import { StatusTray } from './tray';

// The main process stays thin: a window, the tray, the menu, the single-instance lock; the core does the work.
const appRoot = path.join(__dirname, '..', '..');
const core = new CoreProcess(appRoot);
let window: BrowserWindow | undefined;
let tray: StatusTray | undefined;
let quitting = false;

function openWindow(): void {
  if (window) {
    window.show();
    window.focus();
    return;
  }
  window = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'apprun',
    webPreferences: { preload: path.join(__dirname, '..', 'preload', 'index.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false },
  });
  window.on('closed', () => (window = undefined));
  if (process.env.ELECTRON_RENDERER_URL) void window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void window.loadFile(path.join(__dirname, '..', 'renderer', 'index.html'));
}

async function quit(): Promise<void> {
  if (quitting) return;
  quitting = true;
  await core.stop();
  app.exit(0);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', openWindow);
  // Links open in the OS browser; the app window never navigates away or opens other windows.
  app.on('web-contents-created', (_e, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith('file://') && url !== process.env.ELECTRON_RENDERER_URL) event.preventDefault();
    });
  });
  app.on('before-quit', (event) => {
    if (!quitting) {
      event.preventDefault();
      void quit();
    }
  });
  app.on('window-all-closed', () => undefined); // keep running in the tray

  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(
      Menu.buildFromTemplate([
        { label: 'apprun', submenu: [{ label: 'Open dashboard', click: openWindow }, { type: 'separator' }, { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => void quit() }] },
        { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { role: 'togglefullscreen' }] },
      ]),
    );
    registerIpcRelay(() => core.state);
    tray = new StatusTray(openWindow, () => void quit());
    openWindow();
    const state = await core.start((line) => console.log(`[apprun] ${line}`));
    setInterval(async () => {
      const stack = (await fetch(`${state.gatewayUrl}/api/stack`, { headers: { 'x-apprun-admin-token': state.adminToken } })
        .then((r) => r.json())
        .catch(() => undefined)) as StackView | undefined;
      tray?.update(stack);
    }, 2000);
  });
}
