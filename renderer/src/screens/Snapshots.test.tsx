import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { SnapshotView } from '../../../server/api/contract';
import { ApiError, api } from '../api';
import { Snapshots } from './Snapshots';

const snap = (name: string): SnapshotView => ({
  name,
  createdAt: '2026-12-02T05:00:00.000Z',
  reason: 'saved by hand',
  contents: ['postgres data', 'temporal data'],
  sizeBytes: 72 * 2 ** 20,
  migrations: ['001_tenancy.sql'],
  versions: { apprun: '0.1.0' },
});

describe('the Snapshots screen', () => {
  it('lists snapshots with size and contents, and saves one under the name given', async () => {
    const list = vi.spyOn(api, 'snapshots').mockResolvedValue([snap('before')]);
    const save = vi.spyOn(api, 'saveSnapshot').mockResolvedValue(snap('mine'));
    render(<Snapshots />);
    const row = await screen.findByTestId('snapshot-row-before');
    expect(row.textContent).toContain('72.0 MiB');
    expect(row.textContent).toContain('postgres data, temporal data');
    await userEvent.type(screen.getByTestId('snapshot-name'), 'mine');
    list.mockResolvedValue([snap('before'), snap('mine')]);
    await userEvent.click(screen.getByTestId('snapshot-save'));
    expect(save).toHaveBeenCalledWith('mine');
    expect((await screen.findByTestId('snapshot-done')).textContent).toBe('saved mine (72.0 MiB)');
    expect(await screen.findByTestId('snapshot-row-mine')).toBeTruthy();
  });

  it('restores only after confirmation, and shows why a restore was refused', async () => {
    vi.spyOn(api, 'snapshots').mockResolvedValue([snap('before')]);
    const restore = vi
      .spyOn(api, 'restoreSnapshot')
      .mockRejectedValue(
        new ApiError(422, 'snapshot_corrupt', 'snapshot "before" is corrupted: PG_VERSION does not match its checksum'),
      );
    render(<Snapshots />);
    const row = await screen.findByTestId('snapshot-row-before');
    await userEvent.click(row.querySelector('button')!);
    expect(restore).not.toHaveBeenCalled();
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toContain('restore before?');
    await userEvent.click(dialog.querySelector('button.primary')!);
    await waitFor(() => expect(restore).toHaveBeenCalledWith('before'));
    expect(await screen.findByText(/PG_VERSION does not match its checksum/)).toBeTruthy();
  });
});
