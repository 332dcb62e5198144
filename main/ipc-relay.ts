import { type ApprunApi, adminApi, IPC_CHANNELS } from '../server/api/contract';
import type { CoreState } from '../server/core-state';
import type { IpcMainLike } from './electron-like';

/**
 * Relays exactly the contract's channels to the core over HTTP, with the admin token the renderer never sees.
 * Anything else the renderer sends has no handler.
 */
export function registerIpcRelay(
  ipcMain: IpcMainLike,
  core: () => CoreState | undefined,
  fetchImpl: typeof fetch = fetch,
): void {
  let http: ApprunApi | undefined;
  for (const [method, channel] of Object.entries(IPC_CHANNELS) as [keyof ApprunApi, string][]) {
    ipcMain.handle(channel, async (_event, ...args: unknown[]) => {
      const state = core();
      if (!state) throw new Error('the apprun core is still starting');
      http ??= adminApi(state, { fetchImpl });
      return (http[method] as (...a: unknown[]) => Promise<unknown>)(...args);
    });
  }
}
