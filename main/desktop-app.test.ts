import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IPC_CHANNELS } from '../server/api/contract';
import type { CoreState } from '../server/core-state';
import { type DesktopAppOptions, startDesktopApp } from './desktop-app';
import {
  createFakeElectron,
  FakeBrowserWindow,
  FakeEvent,
  FakeMenu,
  FakeTray,
  FakeWebContents,
  settle,
} from './test-support/fake-electron';
import { stackWith } from './test-support/stack-fixture';

const mainDir = path.join('/opt/apprun', 'out', 'main');
const coreState: CoreState = {
  pid: 7,
  home: '/tmp/h',
  ports: {} as CoreState['ports'],
  gatewayUrl: 'http://127.0.0.1:8080',
  adminToken: 'admin-token',
  startedAt: 0,
};

interface SeenFetch {
  url: string;
  headers: Record<string, string>;
}

/** The app started against a fake Electron, with a fetch that answers every call with `answer`. */
function desktopApp(
  options: Partial<DesktopAppOptions> = {},
  answer: () => unknown = () => stackWith(['healthy', 'healthy', 'healthy', 'healthy', 'healthy']),
) {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] }); // the tray's poll runs only when a test says so
  const electron = createFakeElectron();
  const fetched: SeenFetch[] = [];
  const fakeFetch = (async (url: string, init: RequestInit = {}) => {
    fetched.push({ url: String(url), headers: init.headers as Record<string, string> });
    return Response.json(answer());
  }) as typeof fetch;
  const logged: string[] = [];
  const app = startDesktopApp(electron, { mainDir, fetch: fakeFetch, log: (line) => logged.push(line), ...options });
  return { electron, app, fetched, logged, core: () => electron.utilityProcess.last };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('the single-instance lock', () => {
  it('a second instance quits at once and sets nothing up', async () => {
    const electron = createFakeElectron();
    electron.app.hasLock = false;
    expect(startDesktopApp(electron, { mainDir })).toBeUndefined();
    expect(electron.app.quitCalls).toBe(1);
    await electron.app.becomeReady();
    expect(electron.app.eventNames()).toEqual([]);
    expect(electron.utilityProcess.children).toEqual([]);
    expect(FakeBrowserWindow.created).toEqual([]);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it(
    'the first instance brings its window to the front when a second one starts, or opens one if it was ' + 'closed',
    async () => {
      const { electron } = desktopApp();
      await electron.app.becomeReady();
      const [window] = FakeBrowserWindow.created;
      electron.app.emit('second-instance');
      expect(FakeBrowserWindow.created).toHaveLength(1);
      expect(window).toMatchObject({ shown: 1, focused: 1 });

      window!.emit('closed');
      electron.app.emit('second-instance');
      expect(FakeBrowserWindow.created).toHaveLength(2);
    },
  );
});

describe('the window', () => {
  it(
    'has no Node, an isolated context, the sandbox and the bundled preload, and loads the built ' + 'dashboard',
    async () => {
      const { electron } = desktopApp();
      await electron.app.becomeReady();
      const [window] = FakeBrowserWindow.created;
      expect(window?.options.webPreferences).toEqual({
        preload: path.join('/opt/apprun', 'out', 'preload', 'index.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
      });
      expect(window?.loaded).toEqual({ file: path.join('/opt/apprun', 'out', 'renderer', 'index.html') });
    },
  );

  it('loads the dev server when electron-vite dev names one', async () => {
    const { electron } = desktopApp({ rendererUrl: 'http://localhost:5173/' });
    await electron.app.becomeReady();
    expect(FakeBrowserWindow.created[0]?.loaded).toEqual({ url: 'http://localhost:5173/' });
  });

  it('guards every web contents: navigation only within the app, no new windows', async () => {
    const { electron } = desktopApp();
    const contents = new FakeWebContents();
    electron.app.emit('web-contents-created', new FakeEvent(), contents);
    expect(contents.navigate(pathToFileURL(path.join('/opt/apprun', 'out', 'renderer', 'index.html')).href)).toBe(true);
    expect(contents.navigate('https://example.com/')).toBe(false);
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    await settle();
    expect(electron.shell.opened).toEqual(['https://example.com/']);
  });

  it('closing the last window keeps the app running in the tray', async () => {
    const { electron } = desktopApp();
    await electron.app.becomeReady();
    electron.app.emit('window-all-closed');
    expect(electron.app.quitCalls).toBe(0);
    expect(electron.app.exitCodes).toEqual([]);
    expect(electron.utilityProcess.last.received).toEqual([]);
  });
});

describe('quitting', () => {
  it(
    'stops the core before the app exits, and a second quit meanwhile neither stops twice nor lets the app ' + 'go',
    async () => {
      const { electron, core } = desktopApp();
      await electron.app.becomeReady();
      core().exitOnStop = false; // the core takes its time stopping its services

      const firstQuit = new FakeEvent();
      electron.app.emit('before-quit', firstQuit);
      await settle();
      expect(firstQuit.defaultPrevented).toBe(true);
      expect(core().received).toEqual([{ type: 'stop' }]);
      expect(electron.app.exitCodes).toEqual([]);

      const secondQuit = new FakeEvent();
      electron.app.emit('before-quit', secondQuit);
      await settle();
      expect(secondQuit.defaultPrevented).toBe(true);
      expect(core().received).toEqual([{ type: 'stop' }]);

      core().exitWith(0);
      await settle();
      expect(electron.app.exitCodes).toEqual([0]);
    },
  );

  it('the menu and the tray quit through the same sequence', async () => {
    const { electron, app, core } = desktopApp();
    await electron.app.becomeReady();
    FakeMenu.applicationMenu?.click('Quit');
    FakeTray.created[0]?.menu?.click('Quit apprun');
    await app?.quit();
    expect(core().received).toEqual([{ type: 'stop' }]);
    expect(electron.app.exitCodes).toEqual([0]);
  });
});

describe('the core and the dashboard', () => {
  it('forks the core from the app root once Electron is ready, and logs its progress', async () => {
    const { electron, logged, core } = desktopApp();
    expect(electron.utilityProcess.children).toEqual([]);
    await electron.app.becomeReady();
    expect(core().modulePath).toBe(path.join('/opt/apprun', 'dist', 'desktop-core.js'));
    core().emit('message', { type: 'progress', event: { service: 'minio', step: 'listening' } });
    expect(logged).toEqual(['minio: listening']);
  });

  it('relays IPC to the core with its admin token once it is ready, and refuses before', async () => {
    const { electron, fetched, core } = desktopApp({}, () => ({ budgetBytes: 1, samples: [] }));
    await electron.app.becomeReady();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(Object.values(IPC_CHANNELS).sort());
    await expect(electron.ipcMain.invoke(IPC_CHANNELS.metrics, 5)).rejects.toThrow('the apprun core is still starting');
    core().emit('message', { type: 'ready', state: coreState });
    await settle();
    await expect(electron.ipcMain.invoke(IPC_CHANNELS.metrics, 5)).resolves.toEqual({ budgetBytes: 1, samples: [] });
    expect(fetched.at(-1)).toMatchObject({
      url: 'http://127.0.0.1:8080/api/stack/metrics?since=5',
      headers: { 'x-apprun-admin-token': 'admin-token' },
    });
  });

  it('the tray follows the stack every 2 s, and goes down when the core stops answering', async () => {
    let answer: () => unknown = () => stackWith(['healthy', 'healthy', 'starting', 'healthy', 'healthy']);
    const { electron, fetched, core } = desktopApp({}, () => answer());
    await electron.app.becomeReady();
    const tray = FakeTray.created[0]!;
    expect(tray.toolTip).toBe('apprun: down (starting…)');
    core().emit('message', { type: 'ready', state: coreState });
    await settle();

    await vi.advanceTimersByTimeAsync(2000);
    await settle();
    expect(fetched.at(-1)).toMatchObject({
      url: 'http://127.0.0.1:8080/api/stack',
      headers: { 'x-apprun-admin-token': 'admin-token' },
    });
    expect(tray.toolTip).toBe('apprun: degraded (4/5 services healthy)');

    answer = () => {
      throw new TypeError('fetch failed');
    };
    await vi.advanceTimersByTimeAsync(2000);
    await settle();
    expect(tray.toolTip).toBe('apprun: down (starting…)');
  });

  it('a core that fails to start is logged, and quitting still works', async () => {
    const { electron, app, logged, core } = desktopApp();
    await electron.app.becomeReady();
    core().emit('message', { type: 'failed', message: 'no free port for postgres' });
    core().exitWith(1);
    await settle();
    expect(logged).toEqual(['the core did not start: no free port for postgres']);
    await app?.quit();
    expect(electron.app.exitCodes).toEqual([0]);
  });
});
