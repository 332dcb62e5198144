import { ipcMain } from 'electron';
import { type ApprunApi, IPC_CHANNELS, httpRequestFor } from '../server/api/contract';
import type { CoreState } from '../server/core';

/**
 * Relays exactly the contract's channels to the core's control API, with the admin token the renderer never sees.
 * Anything else the renderer sends has no handler.
 */
export function registerIpcRelay(core: () => CoreState | undefined): void {
  for (const [method, channel] of Object.entries(IPC_CHANNELS) as [keyof ApprunApi, string][]) {
    ipcMain.handle(channel, async (_event, ...args: unknown[]) => {
      const state = core();
      if (!state) throw new Error('the apprun core is still starting');
      const req = httpRequestFor(method, args as never);
      const res = await fetch(`${state.gatewayUrl}${req.path}`, {
        method: req.method,
        headers: { 'x-apprun-admin-token': state.adminToken, ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(`${body.error}: ${body.message}`);
      return body;
    });
  }
}
