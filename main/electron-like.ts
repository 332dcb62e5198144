import type { BrowserWindowConstructorOptions, ForkOptions, MenuItemConstructorOptions } from 'electron';

// The parts of Electron the main process uses, as narrow shapes: the real module satisfies them (main/index.ts passes
// it in), and so does the fake the unit tests use, since Electron's binary cannot run everywhere the tests do.

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  on(event: 'will-navigate', listener: (event: PreventableEvent, url: string) => void): unknown;
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  exit(exitCode?: number): void;
  whenReady(): Promise<void>;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): unknown;
  on(event: 'before-quit', listener: (event: PreventableEvent) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
}

export interface WindowLike {
  show(): void;
  focus(): void;
  loadURL(url: string): Promise<void>;
  loadFile(filePath: string): Promise<void>;
  on(event: 'closed', listener: () => void): unknown;
}

/** Menus are built and handed back to Electron; the main process never looks inside one. */
export interface MenuFactoryLike {
  buildFromTemplate(template: MenuItemConstructorOptions[]): unknown;
  setApplicationMenu(menu: unknown): void;
}

export interface TrayLike {
  setImage(image: unknown): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: unknown): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NativeImageFactoryLike {
  createFromBitmap(buffer: Buffer, options: { width: number; height: number }): unknown;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: unknown, ...args: unknown[]) => unknown): void;
}

export interface ShellLike {
  openExternal(url: string): Promise<void>;
}

export interface UtilityProcessLike {
  readonly pid: number | undefined;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  postMessage(message: unknown): void;
  kill(): boolean;
}

export interface UtilityProcessFactoryLike {
  fork(modulePath: string, args: string[], options: ForkOptions): UtilityProcessLike;
}

// biome-ignore lint/suspicious/noExplicitAny: an image from this module's nativeImage; cannot be unknown here
type TrayImage = any;

export interface ElectronLike {
  app: AppLike;
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => WindowLike;
  Menu: MenuFactoryLike;
  Tray: new (image: TrayImage) => TrayLike;
  nativeImage: NativeImageFactoryLike;
  ipcMain: IpcMainLike;
  shell: ShellLike;
  utilityProcess: UtilityProcessFactoryLike;
}
