import { describe, expect, it } from 'vitest';
import type { SettingsView } from '../../../server/api/contract';
import { formFrom, hostList, portRows, settingsToSave } from './settings-form';

describe('hostList', () => {
  it('splits on commas, spaces and new lines, dropping the empty pieces', () => {
    expect(hostList('a.example, b.example:8443')).toEqual(['a.example', 'b.example:8443']);
    expect(hostList('a.example\nb.example\n\n')).toEqual(['a.example', 'b.example']);
    expect(hostList(' ,a.example,,  b.example , ')).toEqual(['a.example', 'b.example']);
    expect(hostList('')).toEqual([]);
    expect(hostList('   ')).toEqual([]);
  });
});

describe('settingsToSave', () => {
  it('drops blank image overrides, trims the others, and sends the hosts as a list', () => {
    const form = {
      portBase: 31000,
      driver: 'auto' as const,
      images: { postgres: ' postgres:15-alpine ', minio: '', kratos: '   ' },
    };
    expect(settingsToSave(form, 'proxy.example, dev.example:8443')).toEqual({
      portBase: 31000,
      driver: 'auto',
      images: { postgres: 'postgres:15-alpine' },
      allowedHosts: ['proxy.example', 'dev.example:8443'],
    });
  });

  it('sends an empty hosts list when the field is cleared (the list is replaced, not kept)', () => {
    expect(settingsToSave({}, '')).toEqual({ images: {}, allowedHosts: [] });
  });

  it('passes an out-of-range port base on: the core refuses it, naming portBase', () => {
    expect(settingsToSave({ portBase: 80 }, '').portBase).toBe(80);
  });
});

describe('formFrom', () => {
  const view: SettingsView = {
    home: '/var/lib/apprun',
    ports: { gateway: 8080 },
    allowedHostsNow: [],
    runningDriver: 'native',
    defaultImages: {},
    portBase: 23000,
    driver: 'native',
    images: { minio: 'minio/minio:latest' },
    allowedHosts: ['proxy.example', 'dev.example:8443'],
  };

  it('fills the editable fields, with the hosts as comma-separated text', () => {
    expect(formFrom(view)).toEqual({
      form: { portBase: 23000, driver: 'native', images: { minio: 'minio/minio:latest' } },
      hosts: 'proxy.example, dev.example:8443',
    });
  });

  it('gives empty hosts text when none are saved, and round-trips through settingsToSave', () => {
    const { allowedHosts: _, ...withoutHosts } = view;
    expect(formFrom(withoutHosts).hosts).toBe('');
    const { form, hosts } = formFrom(view);
    expect(settingsToSave(form, hosts)).toEqual({
      portBase: 23000,
      driver: 'native',
      images: { minio: 'minio/minio:latest' },
      allowedHosts: ['proxy.example', 'dev.example:8443'],
    });
  });
});

describe('portRows', () => {
  it('names every port for people and links the web UIs', () => {
    const rows = portRows({ gateway: 8080, kratosAdmin: 4434, temporalUi: 8233, minioConsole: 9001, someNewThing: 1 });
    expect(rows.map((r) => r.label)).toEqual([
      'gateway (data, auth, functions, storage, this dashboard)',
      'Kratos admin API',
      'Temporal web UI',
      'MinIO console',
      'some new thing',
    ]);
    expect(rows.filter((r) => r.url).map((r) => r.url)).toEqual(['http://127.0.0.1:8233/', 'http://127.0.0.1:9001/']);
  });
});
