import type { ApprunApi } from '../server/api/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a browser. */
    apprun?: ApprunApi;
  }
}
