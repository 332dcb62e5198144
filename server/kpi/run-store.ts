import fs from 'node:fs/promises';
import path from 'node:path';
import type { Static } from 'typebox';
import { writePrivateFile } from '../../stack/home.js';
import type { BenchRunSchema } from '../api/schemas/kpi.js';

export type BenchRun = Static<typeof BenchRunSchema>;

const FORMAT = 'apprun-bench-run/1';
const KEEP = 200;

/** Runs on disk, one JSON file each under APPRUN_HOME/kpi/runs, so results survive restarts. */
export class RunStore {
  constructor(
    private readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {}

  async save(run: BenchRun): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await writePrivateFile(path.join(this.dir, `${run.id}.json`), JSON.stringify({ format: FORMAT, run }));
  }

  /**
   * Every stored run, oldest first. A file in another format (an older or newer apprun's) or unreadable is skipped
   * with a warning; a run still marked running was cut short by a stop and is stored again as an error.
   */
  async loadAll(): Promise<BenchRun[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const runs: BenchRun[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        const file = JSON.parse(await fs.readFile(path.join(this.dir, name), 'utf8'));
        if (file?.format !== FORMAT || typeof file.run?.id !== 'string' || !Array.isArray(file.run.results))
          throw new Error(`not an ${FORMAT} file`);
        const run = file.run as BenchRun;
        if (run.state === 'running') {
          Object.assign(run, {
            state: 'error',
            error: 'the core stopped while this run was going',
            endedAt: run.startedAt,
          });
          await this.save(run);
        }
        runs.push(run);
      } catch (err) {
        this.warn(`skipped the KPI results file ${name}: ${(err as Error).message}`);
      }
    }
    runs.sort((a, b) => a.startedAt - b.startedAt);
    for (const old of runs.splice(0, Math.max(0, runs.length - KEEP)))
      await fs.rm(path.join(this.dir, `${old.id}.json`), { force: true });
    return runs;
  }
}
