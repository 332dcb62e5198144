import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppHome } from '../stack/home.js';
import { readJsonIfExists, writePrivateFile } from '../stack/home.js';
import type { EditableSettings } from './api/contract.js';
import { parseAllowedHosts, parseAllowedHostsEnv } from './http/host-policy.js';

/** The password of the seeded users alice, bob and charlie unless settings say otherwise. Dev only. */
export const DEFAULT_DEV_PASSWORD = 'apprun-dev-password';

/** User-editable settings in APPRUN_HOME/settings.json (the dashboard's Settings screen writes the same file). */
export interface Settings extends EditableSettings {
  /** Password of the seeded dev users; applied to them at every start when set. */
  devPassword?: string;
}

const settingsFile = (home: AppHome) => path.join(home.root, 'settings.json');

/** Synchronous: the core needs the port base before anything starts, and the file is a few bytes. */
export function loadSettings(home: AppHome): Settings {
  const file = settingsFile(home);
  let settings: Settings = {};
  try {
    settings = JSON.parse(readFileSync(file, 'utf8')) as Settings;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  if (process.env.APPRUN_DEV_PASSWORD) settings.devPassword = process.env.APPRUN_DEV_PASSWORD;
  if (
    settings.devPassword !== undefined &&
    (typeof settings.devPassword !== 'string' || settings.devPassword.length < 8)
  ) {
    throw new Error(`${file}: devPassword must be a string of at least 8 characters`);
  }
  try {
    if (process.env.APPRUN_ALLOWED_HOSTS)
      settings.allowedHosts = parseAllowedHostsEnv(process.env.APPRUN_ALLOWED_HOSTS);
    else if (settings.allowedHosts !== undefined) settings.allowedHosts = parseAllowedHosts(settings.allowedHosts);
  } catch (err) {
    throw new Error(`${process.env.APPRUN_ALLOWED_HOSTS ? 'APPRUN_ALLOWED_HOSTS' : file}: ${(err as Error).message}`);
  }
  return settings;
}

/** Merges the editable part into settings.json (0600: it may hold the dev password), keeping the rest. */
export async function saveSettings(home: AppHome, edits: EditableSettings): Promise<Settings> {
  const current = (await readJsonIfExists<Settings>(settingsFile(home))) ?? {};
  const next: Settings = {
    ...current,
    ...edits,
    // The form sends every override it keeps: one left out is cleared.
    images: edits.images ?? current.images,
    plans: {
      free: { ...current.plans?.free, ...edits.plans?.free },
      pro: { ...current.plans?.pro, ...edits.plans?.pro },
    },
  };
  await writePrivateFile(settingsFile(home), JSON.stringify(next, null, 2));
  return next;
}
