import fs from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_FOLDER, scaffoldRoot } from './project.js';

/** A project name from a folder name: lowercase letters, digits, dashes and underscores. */
export function projectNameOf(folder: string): string {
  const name = path
    .basename(path.resolve(folder))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 63);
  return name || 'app';
}

/**
 * `apprun init [DIR]`: writes apprun/ into DIR (made if missing) from the scaffold, which is today's demo: its schema as
 * the first migration, its seed, one function, its tenants and dev users, a policies file of comments. An existing
 * apprun/ is never touched.
 */
export async function initProject(dir: string): Promise<{ dir: string; name: string; files: string[] }> {
  const root = path.resolve(dir);
  const target = path.join(root, PROJECT_FOLDER);
  if (await fs.stat(target).catch(() => undefined))
    throw new Error(`${target} exists already: apprun init never overwrites a project (remove it first to start over)`);
  await fs.mkdir(root, { recursive: true });
  const name = projectNameOf(root);
  await fs.cp(path.join(scaffoldRoot(), PROJECT_FOLDER), target, { recursive: true, errorOnExist: true });
  const config = path.join(target, 'config.toml');
  const text = await fs.readFile(config, 'utf8');
  await fs.writeFile(config, text.replace(/^name = "demo"$/m, `name = "${name}"`));
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) await walk(full);
      else files.push(path.relative(root, full));
    }
  };
  await walk(target);
  return { dir: target, name, files: files.sort() };
}
