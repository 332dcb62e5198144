import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, reapPidFile, writePidFile } from './pid-files.js';

async function sleeper() {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  return child;
}

describe('reapPidFile', () => {
  it('kills a process left behind by an earlier run when it still runs the same binary', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pidfile-'));
    const child = await sleeper();
    const exe = await fs.readlink(`/proc/${child.pid}/exe`);
    await writePidFile(path.join(dir, 'svc.pid'), child.pid!, exe);
    const exited = new Promise((r) => child.once('exit', r));
    expect(await reapPidFile(path.join(dir, 'svc.pid'))).toBe(child.pid);
    await exited;
    expect(isAlive(child.pid!)).toBe(false);
    await expect(fs.stat(path.join(dir, 'svc.pid'))).rejects.toThrow();
  });

  it('leaves alone a process whose pid was reused by another program', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pidfile-'));
    const child = await sleeper();
    await writePidFile(path.join(dir, 'svc.pid'), child.pid!, '/usr/bin/some-other-binary');
    expect(await reapPidFile(path.join(dir, 'svc.pid'))).toBeUndefined();
    expect(isAlive(child.pid!)).toBe(true);
    child.kill();
  });
});
