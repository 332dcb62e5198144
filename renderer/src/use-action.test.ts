import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { useAction } from './use-action';

describe('useAction', () => {
  it('is busy while the action runs, then not, with no error after a success', async () => {
    let finish!: () => void;
    let after = false;
    const { result } = renderHook(() => useAction());
    expect(result.current.busy).toBe(false);
    let running!: Promise<void>;
    act(() => {
      running = result.current.run(async () => {
        await new Promise<void>((resolve) => (finish = resolve));
        after = true;
      });
    });
    expect(result.current.busy).toBe(true);
    await act(async () => {
      finish();
      await running;
    });
    expect(after).toBe(true);
    expect(result.current).toMatchObject({ busy: false, error: undefined });
  });

  it("keeps an ApiCallError as it came: the gateway's status, code and message", async () => {
    const refusal = new ApiError(403, 'forbidden', 'p, user, tenant-1, /functions, POST');
    const { result } = renderHook(() => useAction());
    await act(() =>
      result.current.run(async () => {
        throw refusal;
      }),
    );
    expect(result.current.error).toBe(refusal);
    expect(result.current.busy).toBe(false);
  });

  it('wraps a plain Error (as IPC delivers it) into an ApiError with code "error"', async () => {
    const { result } = renderHook(() => useAction());
    await act(() =>
      result.current.run(async () => {
        throw new Error('the apprun core is still starting');
      }),
    );
    expect(result.current.error).toBeInstanceOf(ApiError);
    expect(result.current.error).toMatchObject({
      status: 0,
      code: 'error',
      message: 'the apprun core is still starting',
    });
  });

  it('clears the last error when the next action starts', async () => {
    const { result } = renderHook(() => useAction());
    await act(() =>
      result.current.run(async () => {
        throw new ApiError(413, 'too_large', 'more than 10 MiB');
      }),
    );
    expect(result.current.error?.code).toBe('too_large');
    let finish!: () => void;
    let running!: Promise<void>;
    act(() => {
      running = result.current.run(() => new Promise<void>((resolve) => (finish = resolve)));
    });
    expect(result.current).toMatchObject({ busy: true, error: undefined });
    await act(async () => {
      finish();
      await running;
    });
  });
});
