import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, toApiError } from './api';

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Calls fn now, or right after the call in flight (whose answer may predate what the caller just changed). */
  refresh: () => void;
}

/**
 * Calls fn now and every intervalMs while mounted (0: once); keeps the last good data when a call fails. A tick that comes
 * while a call is in flight is skipped, so a slow core never has calls piling up; an answer that arrives after
 * unmount or after deps changed is dropped, so a stale answer never overwrites a newer one.
 */
export function usePoll<T>(fn: () => Promise<T>, intervalMs: number, deps: unknown[] = []): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [loading, setLoading] = useState(true);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const refreshRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    let current = true;
    let inFlight = false;
    let refreshQueued = false;
    const call = async () => {
      inFlight = true;
      try {
        const value = await fnRef.current();
        if (current) {
          setData(value);
          setError(undefined);
        }
      } catch (err) {
        if (current) setError(toApiError(err));
      } finally {
        inFlight = false;
        if (current) setLoading(false);
        if (current && refreshQueued) {
          refreshQueued = false;
          void call();
        }
      }
    };
    const tick = () => {
      if (!inFlight) void call();
    };
    refreshRef.current = () => {
      if (inFlight) refreshQueued = true;
      else void call();
    };
    setLoading(true);
    tick();
    const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : undefined; // 0: once, and on refresh
    return () => {
      current = false;
      clearInterval(timer);
      refreshRef.current = () => undefined;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);
  const refresh = useCallback(() => refreshRef.current(), []);
  return { data, error, loading, refresh };
}
