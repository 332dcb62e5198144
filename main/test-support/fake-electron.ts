import { EventEmitter } from 'node:events';
import type { BrowserWindowConstructorOptions, ForkOptions, MenuItemConstructorOptions } from 'electron';
import type { ElectronLike, PreventableEvent, UtilityProcessLike, WebContentsLike } from '../electron-like';

// A stand-in for Electron's main-process API that records what the app asks of it and lets a test play Electron's
// part (emit app events, answer window-open requests, send the core's messages). Only what main/ uses.

export class FakeEvent implements PreventableEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeApp extends EventEmitter {
  hasLock = true;
  quitCalls = 0;
  exitCodes: (number | undefined)[] = [];
  private markReady!: () => void;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = resolve));

  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  quit(): void {
    this.quitCalls++;
  }
  exit(exitCode?: number): void {
    this.exitCodes.push(exitCode);
  }
  whenReady(): Promise<void> {
    return this.ready;
  }
  /** Electron becoming ready, and the app's ready handler having run up to its first wait. */
  async becomeReady(): Promise<void> {
    this.markReady();
    await settle();
  }
}

export class FakeWebContents extends EventEmitter implements WebContentsLike {
  windowOpenHandler?: (details: { url: string }) => { action: 'deny' };
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.windowOpenHandler = handler;
  }
  /** What Electron does when a page tries to navigate: emits will-navigate, then goes only if nobody prevented it. */
  navigate(url: string): boolean {
    const event = new FakeEvent();
    this.emit('will-navigate', event, url);
    return !event.defaultPrevented;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  shown = 0;
  focused = 0;
  loaded?: { url: string } | { file: string };

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  async loadURL(url: string): Promise<void> {
    this.loaded = { url };
  }
  async loadFile(file: string): Promise<void> {
    this.loaded = { file };
  }
}

export class FakeMenu {
  static applicationMenu?: FakeMenu;
  constructor(readonly template: MenuItemConstructorOptions[]) {}
  static buildFromTemplate(template: MenuItemConstructorOptions[]): FakeMenu {
    return new FakeMenu(template);
  }
  static setApplicationMenu(menu: unknown): void {
    FakeMenu.applicationMenu = menu as FakeMenu;
  }
  /** The item with this label, anywhere in the menu. */
  item(label: string, items = this.template): MenuItemConstructorOptions | undefined {
    for (const item of items) {
      if (item.label === label) return item;
      const found = Array.isArray(item.submenu)
        ? this.item(label, item.submenu as MenuItemConstructorOptions[])
        : undefined;
      if (found) return found;
    }
    return undefined;
  }
  /** A click on the item with this label, as Electron would deliver it. */
  click(label: string): void {
    const click = this.item(label)?.click;
    if (!click) throw new Error(`no clickable menu item '${label}'`);
    click({} as never, undefined, {} as never);
  }
}

export class FakeImage {
  constructor(
    readonly bitmap: Buffer,
    readonly size: { width: number; height: number },
  ) {}
  /** The colour of the middle pixel, as [r, g, b] (the bitmap is BGRA). */
  centre(): [number, number, number] {
    const i = ((this.size.height / 2) * this.size.width + this.size.width / 2) * 4;
    return [this.bitmap[i + 2]!, this.bitmap[i + 1]!, this.bitmap[i]!];
  }
}

export class FakeTray extends EventEmitter {
  static created: FakeTray[] = [];
  toolTip = '';
  menu?: FakeMenu;
  constructor(public image: FakeImage) {
    super();
    FakeTray.created.push(this);
  }
  setImage(image: unknown): void {
    this.image = image as FakeImage;
  }
  setToolTip(toolTip: string): void {
    this.toolTip = toolTip;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu as FakeMenu;
  }
}

export type IpcHandler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  readonly handlers = new Map<string, IpcHandler>();
  handle(channel: string, listener: IpcHandler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`); // as Electron does
    this.handlers.set(channel, listener);
  }
  /** What ipcRenderer.invoke(channel, ...args) reaches in the main process. */
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) throw new Error(`No handler registered for '${channel}'`);
    return handler({}, ...args);
  }
}

export class FakeShell {
  readonly opened: string[] = [];
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
}

/** A utilityProcess child: the test sends its messages and decides when (and whether) it exits. */
export class FakeUtilityProcess extends EventEmitter implements UtilityProcessLike {
  pid: number | undefined = 4242;
  readonly received: unknown[] = [];
  killed = 0;
  /** The real core exits once it has stopped its services; false plays a core that hangs while stopping. */
  exitOnStop = true;

  constructor(
    readonly modulePath: string,
    readonly options: ForkOptions,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.received.push(message);
    if (this.exitOnStop && (message as { type?: string }).type === 'stop') setImmediate(() => this.exitWith(0));
  }
  kill(): boolean {
    this.killed++;
    setImmediate(() => this.exitWith(null));
    return true;
  }
  exitWith(code: number | null): void {
    if (this.pid === undefined) return;
    this.pid = undefined;
    this.emit('exit', code);
  }
}

export class FakeUtilityProcessFactory {
  readonly children: FakeUtilityProcess[] = [];
  fork(modulePath: string, _args: string[], options: ForkOptions): FakeUtilityProcess {
    const child = new FakeUtilityProcess(modulePath, options);
    this.children.push(child);
    return child;
  }
  get last(): FakeUtilityProcess {
    const child = this.children.at(-1);
    if (!child) throw new Error('no utility process was forked');
    return child;
  }
}

export interface FakeElectron extends ElectronLike {
  app: FakeApp;
  ipcMain: FakeIpcMain;
  shell: FakeShell;
  utilityProcess: FakeUtilityProcessFactory;
}

/** A fresh fake per test: the static registries of windows, trays and the menu are emptied. */
export function createFakeElectron(): FakeElectron {
  FakeBrowserWindow.created = [];
  FakeTray.created = [];
  FakeMenu.applicationMenu = undefined;
  return {
    app: new FakeApp(),
    BrowserWindow: FakeBrowserWindow,
    Menu: FakeMenu,
    Tray: FakeTray,
    nativeImage: { createFromBitmap: (buffer, size) => new FakeImage(buffer, size) },
    ipcMain: new FakeIpcMain(),
    shell: new FakeShell(),
    utilityProcess: new FakeUtilityProcessFactory(),
  };
}

/** Lets pending promise callbacks and immediates run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
