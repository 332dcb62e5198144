import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { SettingsView } from '../../../server/api/contract';
import { ApiError, api } from '../api';
import { Settings } from './Settings';

const view = (over: Partial<SettingsView> = {}): SettingsView => ({
  home: '/var/lib/apprun',
  ports: { gateway: 8080, postgres: 5432 },
  allowedHostsNow: [],
  runningDriver: 'native',
  defaultImages: { postgres: 'postgres:15.18-bookworm' },
  driver: 'native',
  allowedHosts: ['proxy.example'],
  ...over,
});

const portBase = () => screen.getByTestId('settings-port-base') as HTMLInputElement;
const hosts = () => screen.getByTestId('settings-allowed-hosts') as HTMLInputElement;

describe('the Settings screen', () => {
  it('shows what runs now and fills the form from the saved settings', async () => {
    vi.spyOn(api, 'settings').mockResolvedValue(view({ portBase: 23000, allowedHostsNow: ['proxy.example'] }));
    render(<Settings />);
    expect((await screen.findByTestId('settings-home')).textContent).toBe('/var/lib/apprun');
    expect(screen.getByTestId('settings-hosts-now').textContent).toBe(
      'loopback (127.0.0.1:8080, localhost:8080) and proxy.example',
    );
    await vi.waitFor(() => expect(portBase().value).toBe('23000'));
    expect(hosts().value).toBe('proxy.example');
  });

  it('saves what was edited, then says so', async () => {
    vi.spyOn(api, 'settings').mockResolvedValue(view());
    const save = vi.spyOn(api, 'saveSettings').mockImplementation(async (s) => view(s));
    render(<Settings />);
    await userEvent.type(await screen.findByTestId('settings-port-base'), '31000');
    await userEvent.clear(hosts());
    await userEvent.type(hosts(), 'proxy.example, dev.example:8443');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(save).toHaveBeenCalledWith({
      portBase: 31000,
      driver: 'native',
      images: {},
      allowedHosts: ['proxy.example', 'dev.example:8443'],
    });
    expect((await screen.findByRole('status')).textContent).toContain(
      'Saved — plans apply now, the rest at the next start.',
    );
  });

  it('shows each plan’s limits and saves an edited one with the others', async () => {
    const plans = { free: { weight: 1, functionConcurrency: 2 }, pro: { weight: 2, functionConcurrency: 4 } };
    vi.spyOn(api, 'settings').mockResolvedValue(view({ plans }));
    const save = vi.spyOn(api, 'saveSettings').mockImplementation(async (s) => view(s));
    render(<Settings />);
    const proWeight = (await screen.findByTestId('settings-plan-pro-weight')) as HTMLInputElement;
    await waitFor(() => expect(proWeight.value).toBe('2')); // filled once the saved settings arrive
    expect((screen.getByTestId('settings-plan-free-functionConcurrency') as HTMLInputElement).value).toBe('2');
    await userEvent.clear(proWeight);
    await userEvent.type(proWeight, '5');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(save.mock.calls[0]![0].plans).toEqual({ ...plans, pro: { weight: 5, functionConcurrency: 4 } });
  });

  it('shows the core’s refusal, naming the field', async () => {
    vi.spyOn(api, 'settings').mockResolvedValue(view());
    vi.spyOn(api, 'saveSettings').mockRejectedValue(
      new ApiError(400, 'invalid_settings', 'portBase must be an integer from 1024 to 65525'),
    );
    render(<Settings />);
    await userEvent.type(await screen.findByTestId('settings-port-base'), '80');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'invalid_settings: portBase must be an integer from 1024 to 65525',
    );
    expect(screen.queryByRole('status')).toBeNull();
  });

  it('keeps unsaved edits when the next poll brings the same saved settings', async () => {
    vi.useFakeTimers();
    const settings = vi.spyOn(api, 'settings').mockImplementation(async () => view({ portBase: 23000 }));
    render(<Settings />);
    await act(async () => void (await vi.advanceTimersByTimeAsync(0)));
    fireEvent.change(portBase(), { target: { value: '31000' } });
    await act(async () => void (await vi.advanceTimersByTimeAsync(60_000)));
    expect(settings).toHaveBeenCalledTimes(2);
    expect(portBase().value).toBe('31000');
  });

  it('shows why the settings could not be read', async () => {
    vi.spyOn(api, 'settings').mockRejectedValue(
      new ApiError(0, 'unreachable', 'the apprun core is not answering — is it still running?'),
    );
    render(<Settings />);
    expect((await screen.findByRole('alert')).textContent).toBe(
      'unreachable: the apprun core is not answering — is it still running?',
    );
  });
});
