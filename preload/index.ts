import { contextBridge, ipcRenderer } from 'electron';
import { type ApprunApi, IPC_CHANNELS } from '../server/api/contract';

// Exposes the typed API and nothing else: each method maps to one allowlisted channel.
const api = Object.fromEntries(
  (Object.keys(IPC_CHANNELS) as (keyof ApprunApi)[]).map((method) => [
    method,
    (...args: unknown[]) => ipcRenderer.invoke(IPC_CHANNELS[method], ...args),
  ]),
) as unknown as ApprunApi;

contextBridge.exposeInMainWorld('apprun', api);
