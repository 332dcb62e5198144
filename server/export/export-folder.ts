// What every export does before it writes its own files: an output folder that is empty (or --force), the project's
// migrations checked against the running database (a refused one refuses the export, naming it), the project folder
// copied (its dev users only when asked), and the secrets made for this export alone.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'smol-toml';
import type { AppHome } from '../../stack/home.js';
import { newSecrets, secretVariable } from '../../stack/secrets.js';
import { adminApi } from '../api/contract.js';
import { newSigningJwk, SIGNING_KEY_VARIABLE } from '../auth/signing-keys.js';
import { runningCore } from '../core-state.js';
import { CONFIG_FILE, type Project } from '../project/project.js';
import { loadSettings } from '../settings.js';

/** The export's name (the Compose project's, the chart's, the release's): a DNS label from the project's name. */
export const exportName = (project: Project) =>
  `apprun-${
    project.config.project.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'app'
  }`.slice(0, 50);

/** A refusal the CLI prints as is (bad input: no stack trace). */
export class ExportError extends Error {}

/** The output folder, made or emptied: refused when it holds files (unless forced) or holds the project itself. */
export function prepareOutput(out: string, force: boolean, project: Project): void {
  const dir = path.resolve(out);
  const inside = (a: string, b: string) => a === b || a.startsWith(`${b}${path.sep}`);
  if (inside(path.resolve(project.root), dir) || inside(dir, path.join(path.resolve(project.root), 'apprun')))
    throw new ExportError(
      `--out ${dir} holds the project itself (or is inside its apprun/ folder): choose another folder`,
    );
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory())
    throw new ExportError(`--out ${dir} is a file, not a folder`);
  const entries = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (entries.length && !force)
    throw new ExportError(
      `--out ${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}): choose an ` +
        'empty folder, or pass --force to replace what it holds',
    );
  for (const entry of entries) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
}

/**
 * The project's migrations as the running appliance of this home sees them: any failed (refused), edited or pending
 * one refuses the export, naming it. Without a running appliance nothing can check them: refused unless skipped.
 */
export async function checkMigrations(home: AppHome, skip: boolean): Promise<string> {
  if (skip) return 'migrations not checked (--skip-check)';
  const core = await runningCore(home);
  if (!core)
    throw new ExportError(
      `apprun is not running for ${home.root}: the export checks the project's migrations against its database. ` +
        'Start it (`apprun up`), or pass --skip-check to export unchecked migrations',
    );
  const { migrations } = await adminApi(core)
    .project()
    .catch((err: Error) => {
      throw new ExportError(`the running appliance did not describe the project: ${err.message}`);
    });
  const bad = migrations.find((m) => m.state !== 'applied');
  if (bad) {
    const why = {
      failed: `was refused: ${bad.error ?? 'see `apprun status`'}`,
      edited: 'was edited after it was applied: move the change into a new migration',
      pending: 'is not applied yet (empty, or saved while apprun was down): write it, or let apprun apply it',
      applied: '',
    }[bad.state];
    throw new ExportError(
      `the project's migration ${bad.name} ${why}. The export applies every migration: fix it first`,
    );
  }
  return `${migrations.length} migration${migrations.length === 1 ? '' : 's'} checked: all applied`;
}

/** Copies `apprun/` to `<out>/project/apprun`; without dev users, the config's `[[users]]` are left out. */
export function copyProject(project: Project, out: string, withDevUsers: boolean): string {
  const target = path.join(out, 'project');
  fs.cpSync(project.dir, path.join(target, 'apprun'), {
    recursive: true,
    // Editor leftovers and build output stay home.
    filter: (file) => !/(^|\/)(\.[^/]*\.swp|node_modules|\.DS_Store)$/.test(file),
  });
  if (!withDevUsers) {
    const file = path.join(target, 'apprun', CONFIG_FILE);
    if (fs.existsSync(file)) {
      const config = parse(fs.readFileSync(file, 'utf8'));
      if (config.users) {
        delete config.users;
        fs.writeFileSync(
          file,
          '# Written by `apprun export`: the dev users were left out (`--with-dev-users` keeps them).\n' +
            stringify(config),
        );
      }
    }
  }
  return target;
}

/** An export's own secrets: every service's, a signing key, an admin token; the dev password with dev users. */
export async function exportSecrets(home: AppHome, withDevUsers: boolean): Promise<Record<string, string>> {
  const secrets = newSecrets();
  const vars: Record<string, string> = Object.fromEntries(
    Object.entries(secrets).map(([name, value]) => [secretVariable(name), value]),
  );
  vars[SIGNING_KEY_VARIABLE] = JSON.stringify(await newSigningJwk());
  vars.APPRUN_ADMIN_TOKEN = randomBytes(24).toString('base64url');
  if (withDevUsers) {
    const devPassword = loadSettings(home).devPassword;
    if (devPassword) vars.APPRUN_DEV_PASSWORD = devPassword;
  }
  return vars;
}

/** KEY=value lines, each value single-quoted (Compose reads it literally), mode 0600. */
export function writeEnvFile(file: string, vars: Record<string, string>, header: string): void {
  const lines = Object.entries(vars).map(([k, v]) => {
    if (v.includes("'") || v.includes('\n')) throw new Error(`${k}: a secret cannot hold a quote or a newline`);
    return `${k}='${v}'`;
  });
  fs.writeFileSync(file, `${header}\n${lines.join('\n')}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
