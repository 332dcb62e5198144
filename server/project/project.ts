// A developer's project: the folder holding `apprun/` (config.toml, migrations/, seed.sql, functions/, policies.csv),
// found from the working directory upward as git finds .git, or named with --project. Without one, the built-in demo
// runs: it is the project `apprun init` scaffolds.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { resolveHomeDir } from '../../stack/home.js';
import { packageRoot } from '../../stack/package-root.js';
import { loadProjectConfig, type ProjectConfig } from './config.js';

export const PROJECT_FOLDER = 'apprun';
export const CONFIG_FILE = 'config.toml';

export interface Project {
  /** The folder that holds `apprun/`. */
  root: string;
  /** `<root>/apprun`. */
  dir: string;
  config: ProjectConfig;
  /** The demo that ships inside apprun (no project folder was found). */
  builtIn: boolean;
}

export class ProjectError extends Error {}

/** Where the scaffold lives in the package: the built-in demo runs from it, `apprun init` copies it. */
export const scaffoldRoot = () => path.join(packageRoot(), 'server', 'project', 'scaffold');

export const migrationsDir = (project: Project) => path.join(project.dir, 'migrations');
export const functionsDir = (project: Project) => path.join(project.dir, 'functions');
export const seedFile = (project: Project) => path.join(project.dir, 'seed.sql');
export const policiesFile = (project: Project) => path.join(project.dir, 'policies.csv');
export const configFile = (project: Project) => path.join(project.dir, CONFIG_FILE);

/** The nearest folder at or above `start` that holds apprun/config.toml. */
export function findProjectRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, PROJECT_FOLDER, CONFIG_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function open(root: string, builtIn: boolean): Project {
  const dir = path.join(root, PROJECT_FOLDER);
  return { root, dir, config: loadProjectConfig(path.join(dir, CONFIG_FILE)), builtIn };
}

/** The built-in demo: the scaffold `apprun init` copies, run in place. */
export const builtInProject = (): Project => open(scaffoldRoot(), true);

/**
 * The project to work on: `explicit` (--project DIR or $APPRUN_PROJECT: the folder holding apprun/, or apprun/
 * itself), else the nearest one from `cwd` upward, else the built-in demo.
 */
export function openProject(explicit?: string, cwd = process.cwd()): Project {
  if (explicit !== undefined) {
    const given = path.resolve(cwd, explicit);
    if (!fs.existsSync(given)) throw new ProjectError(`the project folder ${given} does not exist`);
    const root =
      path.basename(given) === PROJECT_FOLDER && fs.existsSync(path.join(given, CONFIG_FILE))
        ? path.dirname(given)
        : given;
    if (!fs.existsSync(path.join(root, PROJECT_FOLDER, CONFIG_FILE)))
      throw new ProjectError(
        `${root} holds no ${PROJECT_FOLDER}/${CONFIG_FILE}: run \`apprun init ${explicit}\` to make it a project`,
      );
    return open(root, false);
  }
  const found = findProjectRoot(cwd);
  return found ? open(found, false) : builtInProject();
}

/**
 * The app home of a project: its own folder under the apprun data folder, named by the project's name and where it
 * lives, so two projects (or two checkouts of one) never share data. The built-in demo keeps the default home, as
 * before projects existed. $APPRUN_HOME (or --home) overrides both.
 */
export function projectHome(project: Project, env: NodeJS.ProcessEnv = process.env): string {
  const base = resolveHomeDir(env);
  if (env.APPRUN_HOME || project.builtIn) return base;
  const where = createHash('sha256').update(fs.realpathSync(project.root)).digest('hex').slice(0, 8);
  return path.join(base, 'projects', `${project.config.project.name}-${where}`);
}
