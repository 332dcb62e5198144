import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeZombieLockFile } from './postgres.js';

// Real processes: a zombie is made by a shell that starts a child in the background and execs into `sleep`, which
// never reaps it (as init can be slow to, after a core was killed with its services).

const children: ChildProcess[] = [];
let dir = '';
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await fs.rm(dir, { recursive: true, force: true });
});

async function state(pid: number): Promise<string | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.[stat.lastIndexOf(')') + 2];
}

/** A zombie whose name is `name`: a copy of sleep under that name, exited and never reaped. */
async function zombie(name: string): Promise<number> {
  const exe = path.join(dir, name);
  await fs.copyFile('/bin/sleep', exe);
  await fs.chmod(exe, 0o755);
  const parent = spawn('sh', ['-c', `'${exe}' 0 & echo $!; exec sleep 60`], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(parent);
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (c: Buffer) => resolve(Number(c))));
  for (let i = 0; i < 100 && (await state(pid)) !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
  expect(await state(pid)).toBe('Z');
  return pid;
}

const lockFile = () => path.join(dir, 'data', 'postmaster.pid');
const writeLock = async (pid: number) => {
  await fs.mkdir(path.dirname(lockFile()), { recursive: true });
  await fs.writeFile(lockFile(), `${pid}\n${path.dirname(lockFile())}\n1764691200\n5432\n`);
};
const lockExists = () =>
  fs.stat(lockFile()).then(
    () => true,
    () => false,
  );

describe("Postgres' lock file after a crash", () => {
  it('is removed when its postmaster is a zombie, so the next start is not refused', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-pglock-'));
    await writeLock(await zombie('postgres'));
    expect(await removeZombieLockFile(path.dirname(lockFile()))).toBe(true);
    expect(await lockExists()).toBe(false);
  });

  it('is kept when its pid lives, is a zombie of another program, or cannot be read', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-pglock-'));
    const exe = path.join(dir, 'postgres');
    await fs.copyFile('/bin/sleep', exe);
    await fs.chmod(exe, 0o755);
    const live = spawn(exe, ['60'], { stdio: 'ignore' });
    children.push(live);
    await writeLock(live.pid!);
    expect(await removeZombieLockFile(path.dirname(lockFile()))).toBe(false);
    expect(await lockExists()).toBe(true);

    await writeLock(await zombie('not-postgres'));
    expect(await removeZombieLockFile(path.dirname(lockFile()))).toBe(false);
    expect(await lockExists()).toBe(true);

    await fs.writeFile(lockFile(), 'garbage\n');
    expect(await removeZombieLockFile(path.dirname(lockFile()))).toBe(false);
    expect(await lockExists()).toBe(true);
    expect(await removeZombieLockFile(path.join(dir, 'no-such-folder'))).toBe(false);
  });
});
