import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ProcessTreeSampler, readTrees } from './proc-stats.js';

describe('process trees', () => {
  it('finds every descendant of a service, grandchildren included, and sums their memory', async () => {
    const root = spawn('sh', ['-c', 'sleep 5 & sleep 5 & (sleep 5 & wait) & wait'], {
      stdio: 'ignore',
      detached: true,
    }); // its own session, to list it with ps -g
    try {
      await new Promise((r) => setTimeout(r, 300));
      const ps = execFileSync('ps', ['-o', 'pid=', '-g', String(root.pid)], { encoding: 'utf8' })
        .trim()
        .split(/\s+/)
        .map(Number);
      expect(ps.length).toBeGreaterThanOrEqual(5); // sh, 2 sleeps, a subshell and its sleep
      expect([...readTrees([root.pid!]).keys()].sort()).toEqual(ps.sort());
      const usage = (await new ProcessTreeSampler().sample(new Map([['tree', root.pid!]]))).get('tree')!;
      expect(usage.memoryBytes).toBeGreaterThan(ps.length * 100 * 1024);
    } finally {
      process.kill(-root.pid!, 'SIGKILL');
    }
  });
});
