import { ApiCallError, type ApprunApi, createHttpApi } from '../../server/api/contract';

export { ApiCallError as ApiError };

/** Desktop: the preload's typed bridge (IPC); in a browser: the same contract over HTTP, same origin, with the cookie. */
export const api: ApprunApi = window.apprun ?? createHttpApi('', { 'x-apprun-ui': '1' });
