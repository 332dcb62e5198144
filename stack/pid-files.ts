import fs from 'node:fs/promises';
import { readJsonIfExists } from './home.js';

interface PidRecord {
  pid: number;
  exe: string;
}

export async function writePidFile(file: string, pid: number, exe: string): Promise<void> {
  await fs.writeFile(file, JSON.stringify({ pid, exe } satisfies PidRecord), { mode: 0o600 });
}

export async function removePidFile(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exeOf(pid: number): Promise<string | undefined> {
  try {
    return await fs.readlink(`/proc/${pid}/exe`);
  } catch {
    return undefined;
  }
}

/**
 * A pid file left by an apprun that died without cleaning up: if that pid still runs the same binary, kill it
 * (it is our orphan); if the pid was reused by another program, leave that program alone. Returns the pid reaped.
 */
export async function reapPidFile(file: string): Promise<number | undefined> {
  const record = await readJsonIfExists<PidRecord>(file).catch(() => undefined);
  await removePidFile(file);
  if (!record || !isAlive(record.pid)) return undefined;
  const exe = await exeOf(record.pid);
  if (exe === undefined || (await fs.realpath(record.exe).catch(() => record.exe)) !== exe) return undefined;
  process.kill(record.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isAlive(record.pid); i++) await new Promise((r) => setTimeout(r, 100));
  return record.pid;
}
