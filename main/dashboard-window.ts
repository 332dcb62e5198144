import type { BrowserWindowConstructorOptions } from 'electron';
import type { ElectronLike, WindowLike } from './electron-like';

/** The renderer gets no Node, its own JS world and Chromium's sandbox; it reaches the core only through the preload. */
export function dashboardWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    title: 'apprun',
    webPreferences: { preload: preloadPath, contextIsolation: true, sandbox: true, nodeIntegration: false },
  };
}

/** Where the dashboard comes from: the dev server under `electron-vite dev`, else the built index.html. */
export type DashboardSource = { url: string } | { file: string };

/** The one dashboard window: opened on demand, brought to the front if it is already open. */
export class DashboardWindow {
  private window?: WindowLike;

  constructor(
    private readonly BrowserWindow: ElectronLike['BrowserWindow'],
    private readonly preloadPath: string,
    private readonly source: DashboardSource,
  ) {}

  open(): void {
    if (this.window) {
      this.window.show();
      this.window.focus();
      return;
    }
    const window = new this.BrowserWindow(dashboardWindowOptions(this.preloadPath));
    this.window = window;
    window.on('closed', () => (this.window = undefined));
    if ('url' in this.source) void window.loadURL(this.source.url);
    else void window.loadFile(this.source.file);
  }
}
