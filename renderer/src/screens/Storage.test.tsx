import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { StoredObjectView } from '../../../server/api/contract';
import { ApiError, api } from '../api';
import { SessionProvider } from '../session';
import { Storage } from './Storage';

const object = (key: string, size = 10): StoredObjectView => ({
  key,
  size,
  etag: 'e',
  lastModified: '2026-01-01T10:00:00.000Z',
});

async function signedIn() {
  vi.spyOn(api, 'login').mockResolvedValue({
    access_token: 'token-alice',
    token_type: 'Bearer' as const,
    expires_in: 900,
    session_token: 's',
  });
  render(
    <SessionProvider>
      <Storage />
    </SessionProvider>,
  );
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('the Storage screen', () => {
  it('lists the objects under the prefix typed, with their sizes', async () => {
    const objects = vi
      .spyOn(api, 'objects')
      .mockImplementation(async (_token, prefix) =>
        prefix === 'reports/'
          ? [object('reports/q1.csv', 2048)]
          : [object('notes.txt'), object('reports/q1.csv', 2048)],
      );
    await signedIn();
    expect(await screen.findByTestId('object-row-notes.txt')).toBeTruthy();
    await userEvent.type(screen.getByTestId('storage-prefix'), 'reports/');
    await vi.waitFor(() => expect(screen.queryByTestId('object-row-notes.txt')).toBeNull());
    expect(within(screen.getByTestId('object-row-reports/q1.csv')).getByText('2.0 KiB')).toBeTruthy();
    expect(objects).toHaveBeenLastCalledWith('token-alice', 'reports/');
  });

  it('explains a bad key as it is typed and will not upload it; a good key uploads and the form clears', async () => {
    vi.spyOn(api, 'objects').mockResolvedValue([]);
    const put = vi.spyOn(api, 'putObject').mockImplementation(async (_t, key, data) => object(key, data.length));
    await signedIn();
    await userEvent.upload(
      screen.getByTestId('storage-file'),
      new File(['hello from the dashboard'], 'notes.txt', { type: 'text/plain' }),
    );
    const key = screen.getByTestId('storage-key') as HTMLInputElement;
    const submit = screen.getByTestId('storage-upload-submit') as HTMLButtonElement;
    expect(key.value).toBe('notes.txt');
    expect(submit.disabled).toBe(false);

    await userEvent.clear(key);
    await userEvent.type(key, 'reports//notes.txt');
    expect(screen.getByTestId('storage-key-problem').textContent).toContain('the key has an empty segment');
    expect(key.getAttribute('aria-invalid')).toBe('true');
    expect(submit.disabled).toBe(true);

    await userEvent.clear(key);
    await userEvent.type(key, 'reports/notes.txt');
    expect(screen.queryByTestId('storage-key-problem')).toBeNull();
    await userEvent.click(submit);
    await vi.waitFor(() => expect(put).toHaveBeenCalledTimes(1));
    const [token, sentKey, bytes, type] = put.mock.calls[0]!;
    expect([token, sentKey, new TextDecoder().decode(bytes), type]).toEqual([
      'token-alice',
      'reports/notes.txt',
      'hello from the dashboard',
      'text/plain',
    ]);
    await vi.waitFor(() => expect(key.value).toBe(''));
    expect(screen.getByText(/Drop a file here/)).toBeTruthy();
  });

  it('shows the gateway’s refusal of an upload', async () => {
    vi.spyOn(api, 'objects').mockResolvedValue([]);
    vi.spyOn(api, 'putObject').mockRejectedValue(new ApiError(413, 'payload_too_large', 'at most 10 MiB'));
    await signedIn();
    await userEvent.upload(screen.getByTestId('storage-file'), new File(['x'], 'x.bin'));
    await userEvent.click(screen.getByTestId('storage-upload-submit'));
    expect((await screen.findByRole('alert')).textContent).toBe('payload_too_large: at most 10 MiB');
  });
});
