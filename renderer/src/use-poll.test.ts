import { act, renderHook } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { usePoll } from './use-poll';

/** A promise the test settles by hand, to hold a call in flight. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets the answers of settled calls reach React state. */
const settle = () => act(async () => {});
const advance = (ms: number) => act(async () => void (await vi.advanceTimersByTimeAsync(ms)));

describe('usePoll', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('calls at once, then every interval, loading until the first answer', async () => {
    let n = 0;
    const fn = vi.fn(async () => ++n);
    const { result } = renderHook(() => usePoll(fn, 1000));
    expect(result.current.loading).toBe(true);
    expect(fn).toHaveBeenCalledTimes(1);
    await settle();
    expect(result.current).toMatchObject({ data: 1, error: undefined, loading: false });
    await advance(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(result.current.data).toBe(2);
    await advance(3000);
    expect(fn).toHaveBeenCalledTimes(5);
    expect(result.current.data).toBe(5);
  });

  it('stops calling when unmounted, and drops an answer that arrives after', async () => {
    const call = deferred<string>();
    const fn = vi.fn(() => call.promise);
    const { result, unmount } = renderHook(() => usePoll(fn, 1000));
    unmount();
    call.resolve('late');
    await advance(5000);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(result.current.data).toBeUndefined();
  });

  it(
    'keeps the last good data beside the error of a failed call, and clears the error on the next ' + 'success',
    async () => {
      const answers: (() => Promise<string>)[] = [
        async () => 'first',
        async () => {
          throw new ApiError(503, 'temporal_unavailable', 'Temporal is not answering');
        },
        async () => 'third',
      ];
      const { result } = renderHook(() => usePoll(() => answers.shift()!(), 1000));
      await settle();
      expect(result.current.data).toBe('first');
      await advance(1000);
      expect(result.current.data).toBe('first');
      expect(result.current.error).toMatchObject({
        status: 503,
        code: 'temporal_unavailable',
        message: 'Temporal is not answering',
      });
      await advance(1000);
      expect(result.current).toMatchObject({ data: 'third', error: undefined });
    },
  );

  it('turns anything else thrown into an ApiError with code "error"', async () => {
    const { result } = renderHook(() =>
      usePoll(() => Promise.reject(new Error("Error invoking remote method 'apprun:stack'")), 1000),
    );
    await settle();
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error).toMatchObject({
      status: 0,
      code: 'error',
      message: "Error invoking remote method 'apprun:stack'",
    });
    expect(result.current.loading).toBe(false);
  });

  it('skips ticks while a call is in flight: calls never overlap', async () => {
    const calls: ReturnType<typeof deferred<number>>[] = [];
    const fn = vi.fn(() => {
      calls.push(deferred<number>());
      return calls.at(-1)!.promise;
    });
    const { result } = renderHook(() => usePoll(fn, 1000));
    await advance(3500);
    expect(fn).toHaveBeenCalledTimes(1);
    calls[0]!.resolve(1);
    await settle();
    expect(result.current.data).toBe(1);
    await advance(500);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('refresh calls now, or once right after the call in flight', async () => {
    const calls: ReturnType<typeof deferred<number>>[] = [];
    const fn = vi.fn(() => {
      calls.push(deferred<number>());
      return calls.at(-1)!.promise;
    });
    const { result } = renderHook(() => usePoll(fn, 60_000));
    act(() => {
      result.current.refresh();
      result.current.refresh();
    });
    expect(fn).toHaveBeenCalledTimes(1);
    calls[0]!.resolve(1);
    await settle();
    expect(fn).toHaveBeenCalledTimes(2);
    calls[1]!.resolve(2);
    await settle();
    expect(result.current.data).toBe(2);
    act(() => result.current.refresh());
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('starts over when deps change, and an answer for the old deps never overwrites the new', async () => {
    const calls = new Map<string, ReturnType<typeof deferred<string>>>();
    const fn = vi.fn((prefix: string) => {
      calls.set(prefix, deferred<string>());
      return calls.get(prefix)!.promise;
    });
    const { result, rerender } = renderHook(({ prefix }) => usePoll(() => fn(prefix), 5000, [prefix]), {
      initialProps: { prefix: 'r' },
    });
    rerender({ prefix: 'reports/' });
    expect(fn.mock.calls.map(([p]) => p)).toEqual(['r', 'reports/']);
    calls.get('reports/')!.resolve('objects under reports/');
    await settle();
    calls.get('r')!.resolve('objects under r');
    await settle();
    expect(result.current.data).toBe('objects under reports/');
  });
});
