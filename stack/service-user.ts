import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * Postgres refuses to run as root. When apprun itself runs as root (servers, CI containers), services run as an
 * unprivileged user: 'postgres' if the machine has one, else a system user 'apprun' created once. Undefined when not
 * root.
 */
export async function serviceUser(): Promise<ServiceUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'apprun']) {
    const found = await lookup(name);
    if (found) return found;
  }
  await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'apprun']).catch(
    (err: Error) => {
      throw new Error(
        `running as root, and no unprivileged user to run Postgres as: useradd apprun failed: ${err.message}`,
      );
    },
  );
  const created = await lookup('apprun');
  if (!created) throw new Error('useradd apprun succeeded but the user cannot be found');
  return created;
}

async function lookup(name: string): Promise<ServiceUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

/** The first folder on the way to target that `user` cannot enter (no execute bit for "other"), if any. */
export async function firstUnreachableAncestor(target: string): Promise<string | undefined> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of parts.slice(0, -1)) {
    dir = path.join(dir, part);
    const stat = await fs.stat(dir);
    if ((stat.mode & 0o001) === 0) return dir;
  }
  return undefined;
}

export async function chownTree(dir: string, user: ServiceUser): Promise<void> {
  await run('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
}
