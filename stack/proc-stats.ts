import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import type { ResourceUsage } from './driver.js';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PAGE_SIZE = 4096;

interface ProcEntry {
  ppid: number;
  /** Its own CPU and that of its children that ended and were waited for (a Postgres backend of a closed connection). */
  cpuTicks: number;
  rssPages: number;
}

function parseStat(stat: string): ProcEntry {
  // The command name may hold spaces and parentheses: parse after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = (i: number) => Number(fields[i]);
  return { ppid: ticks(1), cpuTicks: ticks(11) + ticks(12) + ticks(13) + ticks(14), rssPages: ticks(21) };
}

/** Whether this kernel lists a thread's children (CONFIG_PROC_CHILDREN): then only the services' trees are read. */
const listsChildren = (() => {
  try {
    readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8');
    return true;
  } catch {
    return false;
  }
})();

/**
 * The processes of the given trees only, walked through each process' children lists: a few dozen small reads of
 * /proc instead of one per process on the machine. /proc reads never touch a disk, so they are synchronous.
 */
export function readTrees(roots: Iterable<number>): Map<number, ProcEntry> {
  const table = new Map<number, ProcEntry>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (table.has(pid)) continue;
    try {
      table.set(pid, parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8')));
      // Children of every thread (a Go service may fork from any of them).
      for (const tid of readdirSync(`/proc/${pid}/task`)) {
        const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
        if (children) for (const child of children.split(' ')) stack.push(Number(child));
      }
    } catch {
      // the process ended while being read
    }
  }
  return table;
}

/** One read of all of /proc: parent and CPU ticks of every process (kernels without children lists). */
async function readProcessTable(): Promise<Map<number, ProcEntry>> {
  const table = new Map<number, ProcEntry>();
  const names = await fs.readdir('/proc');
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(name);
      if (!Number.isInteger(pid)) return;
      try {
        table.set(pid, parseStat(await fs.readFile(`/proc/${pid}/stat`, 'utf8')));
      } catch {
        // the process ended between readdir and read
      }
    }),
  );
  return table;
}

function descendants(root: number, table: Map<number, ProcEntry>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, entry] of table) {
    const list = children.get(entry.ppid);
    if (list) list.push(pid);
    else children.set(entry.ppid, [pid]);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    if (!table.has(pid)) continue;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Proportional set size: shared pages (Postgres' shared buffers) split between the processes that map them. */
async function pssBytes(pid: number, fallbackRssPages: number): Promise<number> {
  try {
    const rollup = await fs.readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
    const match = /^Pss:\s+(\d+) kB/m.exec(rollup);
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not readable (older kernel, or the process ended): fall back to RSS
  }
  return fallbackRssPages * PAGE_SIZE;
}

/**
 * Samples memory and CPU of process trees (a service and all its children, e.g. Postgres' backends).
 * CPU is the share of one core used since the previous sample of the same key, ended children included.
 * Memory is a lone process' RSS, already read with its stat; a tree of several processes sums their PSS, so the
 * memory they share (Postgres' shared buffers) counts once. Reading smaps_rollup walks a process' page tables: 1–2 ms
 * for each Go service here, most of an idle sample's cost, and their RSS equals their PSS to the MB (nothing else maps
 * their static binaries).
 */
export class ProcessTreeSampler {
  private previous = new Map<string, { ticks: number; at: number }>();

  async sample(roots: Map<string, number>): Promise<Map<string, ResourceUsage>> {
    const table = listsChildren ? readTrees(roots.values()) : await readProcessTable();
    const now = performance.now();
    const result = new Map<string, ResourceUsage>();
    await Promise.all(
      [...roots].map(async ([key, root]) => {
        const pids = descendants(root, table);
        if (pids.length === 0) return;
        const memories =
          pids.length === 1
            ? [table.get(root)!.rssPages * PAGE_SIZE]
            : await Promise.all(pids.map((pid) => pssBytes(pid, table.get(pid)!.rssPages)));
        const ticks = pids.reduce((sum, pid) => sum + table.get(pid)!.cpuTicks, 0);
        const prev = this.previous.get(key);
        this.previous.set(key, { ticks, at: now });
        const cpuPercent =
          prev && now > prev.at
            ? Math.max(0, ((ticks - prev.ticks) / CLOCK_TICKS_PER_SECOND / ((now - prev.at) / 1000)) * 100)
            : 0;
        result.set(key, { memoryBytes: memories.reduce((a, b) => a + b, 0), cpuPercent });
      }),
    );
    return result;
  }

  forget(key: string): void {
    this.previous.delete(key);
  }
}
