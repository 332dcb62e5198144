import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { AppHome } from '../stack/home.js';
import { loadSettings, saveSettings } from './settings.js';

describe('allowedHosts in settings.json and APPRUN_ALLOWED_HOSTS', () => {
  const home = new AppHome(fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-settings-')));
  const write = (settings: object) => fs.writeFileSync(path.join(home.root, 'settings.json'), JSON.stringify(settings));
  afterEach(() => vi.unstubAllEnvs());
  afterAll(() => fs.rmSync(home.root, { recursive: true, force: true }));

  it('reads and normalizes the list; the environment replaces it', async () => {
    vi.stubEnv('APPRUN_ALLOWED_HOSTS', '');
    write({ allowedHosts: ['Proxy.Example', 'dev.example:8443'] });
    expect(loadSettings(home).allowedHosts).toEqual(['proxy.example', 'dev.example:8443']);
    vi.stubEnv('APPRUN_ALLOWED_HOSTS', 'a.example, b.example:81');
    expect(loadSettings(home).allowedHosts).toEqual(['a.example', 'b.example:81']);
    vi.stubEnv('APPRUN_ALLOWED_HOSTS', '');
    await saveSettings(home, { allowedHosts: [] });
    expect(loadSettings(home).allowedHosts).toEqual([]);
  });

  it('refuses a bad list at start, naming where it came from', () => {
    vi.stubEnv('APPRUN_ALLOWED_HOSTS', '');
    write({ allowedHosts: ['*.example.com'] });
    expect(() => loadSettings(home)).toThrow(/settings\.json: allowedHosts entry "\*\.example\.com": wildcards/);
    write({ allowedHosts: 'proxy.example' });
    expect(() => loadSettings(home)).toThrow(/must be a list/);
    vi.stubEnv('APPRUN_ALLOWED_HOSTS', 'ok.example,not a host');
    expect(() => loadSettings(home)).toThrow(/^APPRUN_ALLOWED_HOSTS: allowedHosts entry "not a host"/);
  });
});
