import path from 'node:path';
import type { AppHome } from '../stack/home.js';
import { readJsonIfExists } from '../stack/home.js';

/** The password of the seeded users alice, bob and charlie unless settings say otherwise. Dev only. */
export const DEFAULT_DEV_PASSWORD = 'apprun-dev-password';

/** User-editable settings in APPRUN_HOME/settings.json (the dashboard's Settings screen writes the same file). */
export interface Settings {
  /** Password of the seeded dev users; applied to them at every start when set. */
  devPassword?: string;
}

export async function loadSettings(home: AppHome): Promise<Settings> {
  const file = path.join(home.root, 'settings.json');
  const settings = (await readJsonIfExists<Settings>(file)) ?? {};
  if (process.env.APPRUN_DEV_PASSWORD) settings.devPassword = process.env.APPRUN_DEV_PASSWORD;
  if (settings.devPassword !== undefined && (typeof settings.devPassword !== 'string' || settings.devPassword.length < 8)) {
    throw new Error(`${file}: devPassword must be a string of at least 8 characters`);
  }
  return settings;
}
