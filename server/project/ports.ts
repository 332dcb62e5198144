import type { AppHome } from '../../stack/home.js';
import { assertPortFree, portMap } from '../../stack/ports.js';
import { loadSettings, saveSettings } from '../settings.js';
import type { Project } from './project.js';

/** Where a new project's ports start looking, and how far apart two projects' blocks are. */
const FIRST_BASE = 8080;
const BLOCK = 20;
const TRIES = 50;

async function allFree(base: number): Promise<boolean> {
  try {
    for (const port of Object.values(portMap(base))) await assertPortFree(port, '');
    return true;
  } catch {
    return false;
  }
}

/**
 * The port base a project starts on: --port-base or $APPRUN_PORT_BASE, else its config's [ports] base, else the one
 * its home remembers. A project's first start takes the first block of ports from 8080 up that nothing holds, and its
 * home remembers it (settings.json), so it keeps its ports while other projects come and go. The built-in demo keeps
 * the POC's ports, as before projects existed.
 */
export async function projectPortBase(
  project: Project,
  home: AppHome,
  explicit: number | undefined,
): Promise<number | undefined> {
  if (explicit !== undefined) return explicit;
  if (project.config.ports?.base !== undefined) return project.config.ports.base;
  const remembered = loadSettings(home).portBase;
  if (remembered !== undefined || project.builtIn) return remembered;
  for (let i = 0; i < TRIES; i++) {
    const base = FIRST_BASE + i * BLOCK;
    if (!(await allFree(base))) continue;
    await home.ensure();
    await saveSettings(home, { portBase: base });
    return base;
  }
  throw new Error(
    `no free block of ${Object.keys(portMap(FIRST_BASE)).length} ports from ${FIRST_BASE} to ` +
      `${FIRST_BASE + TRIES * BLOCK}: set [ports] base in apprun/config.toml or pass --port-base`,
  );
}
