import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

  it('counts the CPU of a child that ended between two samples (a Postgres backend of a closed connection)', async () => {
    // The child spins ~0.2 s of CPU and exits; its parent (the tree's root) waits for it, then sleeps.
    const root = spawn('sh', ['-c', 'sleep 0.3; awk "BEGIN { for (i = 0; i < 2e7; i++); }"; sleep 5'], {
      stdio: 'ignore',
    });
    try {
      const sampler = new ProcessTreeSampler();
      const roots = new Map([['tree', root.pid!]]);
      await sampler.sample(roots);
      // Until the root is in its last sleep: the spinning child has ended and was waited for.
      const rootChildren = () =>
        execFileSync('ps', ['-o', 'args=', '--ppid', String(root.pid)], { encoding: 'utf8' }).trim();
      await expect.poll(rootChildren, { timeout: 20_000, interval: 50 }).toBe('sleep 5');
      expect((await sampler.sample(roots)).get('tree')!.cpuPercent).toBeGreaterThan(5);
    } finally {
      root.kill('SIGKILL');
    }
  });

  it("takes a lone process' RSS as its memory", async () => {
    const lone = spawn('sleep', ['5'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const usage = (await new ProcessTreeSampler().sample(new Map([['lone', lone.pid!]]))).get('lone')!;
      const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${lone.pid}/status`, 'utf8'))![1]);
      // The kernel's per-thread counters let stat's figure lag status' by a few pages.
      expect(Math.abs(usage.memoryBytes - rssKb * 1024)).toBeLessThan(rssKb * 1024 * 0.25);
    } finally {
      lone.kill('SIGKILL');
    }
  });
});
