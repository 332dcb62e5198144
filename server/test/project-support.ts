// Helpers of the project suites: a project folder of the test's own (apprun init, then its own files), its apprun up,
// and waiting for what the folder watcher does.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { initProject } from '../project/init.js';
import { type RunningApprun, startApprun } from './apprun-process.js';
import { call, login } from './http.js';

export interface TestProject {
  root: string;
  home: string;
  /** Writes a file under the project's apprun/ folder. */
  write(relative: string, text: string): Promise<void>;
  remove(relative: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** `apprun init` in a fresh folder; `files` replace or add files under apprun/ (null removes one). */
export async function makeProject(name: string, files: Record<string, string | null> = {}): Promise<TestProject> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-project-'));
  await fs.chmod(base, 0o755);
  const root = path.join(base, name);
  const home = path.join(base, 'home');
  await initProject(root);
  const project: TestProject = {
    root,
    home,
    write: async (relative, text) => {
      const file = path.join(root, 'apprun', relative);
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Written beside and renamed, as editors save: the watcher must see one whole file.
      await fs.writeFile(`${file}.tmp-save`, text);
      await fs.rename(`${file}.tmp-save`, file);
    },
    remove: (relative) => fs.rm(path.join(root, 'apprun', relative), { force: true }),
    cleanup: () => fs.rm(base, { recursive: true, force: true }),
  };
  for (const [relative, text] of Object.entries(files))
    if (text === null) await project.remove(relative);
    else await project.write(relative, text);
  return project;
}

export function startProject(project: TestProject, portBase: number): Promise<RunningApprun> {
  return startApprun(project.home, portBase, ['--project', project.root]);
}

/** Polls until check() holds, or fails after the hang detector's bound with what it last saw. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function tokenOf(run: RunningApprun, email: string): Promise<string> {
  const res = await login(run.state.gatewayUrl, email);
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${res.text}`);
  return res.json.access_token;
}

/** The project as the admin API shows it. */
export async function projectView(run: RunningApprun) {
  const res = await call('GET', `${run.state.gatewayUrl}/api/project`, {
    headers: { 'x-apprun-admin-token': run.state.adminToken },
  });
  if (res.status !== 200) throw new Error(`GET /api/project: ${res.status} ${res.text}`);
  return res.json;
}

/** A superuser connection to a running project's app database. */
export async function projectDb(run: RunningApprun): Promise<pg.Pool> {
  const secrets = JSON.parse(await fs.readFile(path.join(run.home, 'secrets', 'stack-secrets.json'), 'utf8'));
  const pool = new pg.Pool({
    connectionString: `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${run.state.ports.postgres}/apprun`,
    max: 2,
  });
  pool.on('error', () => undefined); // `db reset` ends its idle connections; the next query opens another
  return pool;
}
