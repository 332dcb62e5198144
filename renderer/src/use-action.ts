import { useCallback, useState } from 'react';
import { type ApiError, toApiError } from './api';

/** A user action's busy flag and error: run(fn) clears the error, awaits fn and keeps what it threw. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  // Stable across renders (an effect may depend on it).
  const run = useCallback(async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(toApiError(err));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run };
}
