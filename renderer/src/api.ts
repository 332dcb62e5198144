import { ApiCallError, type ApprunApi, createHttpApi } from '../../server/api/contract';

export { ApiCallError as ApiError };

/**
 * Desktop: the preload's typed bridge (IPC); in a browser: the same contract over HTTP, same origin, with the cookie.
 */
export const api: ApprunApi = window.apprun ?? createHttpApi('', { 'x-apprun-ui': '1' });

/** Anything a call threw as an ApiError: over IPC a refusal arrives as a plain Error, without the gateway's code. */
export function toApiError(err: unknown): ApiCallError {
  if (err instanceof ApiCallError) return err;
  return new ApiCallError(0, 'error', err instanceof Error ? err.message : String(err));
}
