import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeOf } from './folder-watcher.js';
import { initProject, projectNameOf } from './init.js';
import { findProjectRoot, openProject, ProjectError, projectHome } from './project.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-project-'));
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

describe('apprun init', () => {
  it('scaffolds apprun/ from the demo, named after the folder, and never overwrites one', async () => {
    const root = path.join(dir, 'My Notes');
    const made = await initProject(root);
    expect(made.name).toBe('my-notes');
    expect(made.files).toEqual([
      'apprun/config.toml',
      'apprun/functions/greet.ts',
      'apprun/migrations/20261206000000_demo_schema.sql',
      'apprun/policies.csv',
      'apprun/seed.sql',
    ]);
    const project = openProject(root);
    expect(project.config.project.name).toBe('my-notes');
    expect(project.config.users!.map((u) => u.email)).toEqual(['alice@test.com', 'bob@test.com', 'charlie@test.com']);
    await fs.writeFile(path.join(root, 'apprun', 'seed.sql'), '-- mine');
    await expect(initProject(root)).rejects.toThrow(/exists already: apprun init never overwrites/);
    expect(await fs.readFile(path.join(root, 'apprun', 'seed.sql'), 'utf8')).toBe('-- mine');
    expect(projectNameOf('/x/--')).toBe('app');
  });
});

describe('project discovery', () => {
  it('finds apprun/ from a folder below it, as git finds .git; --project names one; none is the built-in demo', async () => {
    await initProject(dir);
    const below = path.join(dir, 'src', 'deep');
    await fs.mkdir(below, { recursive: true });
    expect(findProjectRoot(below)).toBe(dir);
    expect(openProject(undefined, below).root).toBe(dir);
    expect(openProject(path.join(dir, 'apprun'), '/').root).toBe(dir);
    expect(openProject(undefined, os.tmpdir()).builtIn).toBe(true);
  });

  it('a missing or empty project folder is an error that says so', async () => {
    expect(() => openProject(path.join(dir, 'nope'))).toThrow(ProjectError);
    expect(() => openProject(path.join(dir, 'nope'))).toThrow(/does not exist/);
    expect(() => openProject(dir)).toThrow(/holds no apprun\/config.toml: run `apprun init/);
  });

  it('gives each project its own home, and the built-in demo the default one; APPRUN_HOME wins', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    await initProject(a);
    await initProject(b);
    const env = { HOME: dir } as NodeJS.ProcessEnv;
    const [ha, hb] = [projectHome(openProject(a), env), projectHome(openProject(b), env)];
    expect(ha).not.toBe(hb);
    expect(ha).toMatch(/projects[/\\]a-[0-9a-f]{8}$/);
    expect(projectHome(openProject(a), { APPRUN_HOME: '/h' })).toBe('/h');
  });
});

describe('the folder watcher', () => {
  it('tells what a saved file means, and ignores the rest', () => {
    expect(changeOf(path.join('migrations', '20260101_a.sql'))).toBe('migrations');
    expect(changeOf(path.join('migrations', '.20260101_a.sql.swp'))).toBeUndefined();
    expect(changeOf(path.join('functions', 'hello.ts'))).toBe('functions');
    expect(changeOf('policies.csv')).toBe('policies');
    expect(changeOf('config.toml')).toBe('config');
    expect(changeOf('seed.sql')).toBeUndefined();
    expect(changeOf(path.join('functions', 'lib', 'x.ts'))).toBeUndefined();
  });
});
