import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AppHome } from '../../../stack/home.js';
import type { SnapshotStore } from '../../../stack/snapshots.js';
import { adminApi, type SnapshotView } from '../../api/contract.js';
import { runningCore } from '../../core-state.js';
import { table } from './format.js';

const size = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** The current git branch of the working directory, as a snapshot name (slashes become dashes). */
function branchName(): string {
  let branch: string;
  try {
    branch = execFileSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    throw new Error('--branch needs a git working directory (no branch found here)');
  }
  return (
    branch
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 64) || 'branch'
  );
}

export function renderSnapshots(list: SnapshotView[]): string {
  if (!list.length) return 'no snapshots yet (`apprun snapshot save [NAME]`)\n';
  return `${table(
    ['name', 'taken', 'size', 'contains', 'why'],
    list.map((s) => [
      s.name,
      s.createdAt.replace('T', ' ').slice(0, 19),
      size(s.sizeBytes),
      s.contents.join(', '),
      s.reason,
    ]),
  )}\n`;
}

/**
 * Without a running core the files are still: snapshots are plain copies and restores plain swaps. Loaded only then:
 * the commands that go through the core start without the stack's modules.
 */
async function offlineStore(home: AppHome): Promise<SnapshotStore> {
  const [{ loadOrCreateSecrets }, { homeIdOf, SnapshotStore }] = await Promise.all([
    import('../../../stack/secrets.js'),
    import('../../../stack/snapshots.js'),
  ]);
  await home.ensure();
  // No spare copies: this command exits at once.
  return new SnapshotStore(home, homeIdOf((await loadOrCreateSecrets(home)).postgresPassword), false);
}

/**
 * `apprun snapshot save [NAME] [--branch] | list | restore NAME | rm NAME`: through the running core when there is
 * one (it holds the services still for the copy, and restarts them for a restore), on the files otherwise.
 */
export async function snapshot(home: AppHome, args: string[], options: { branch: boolean }): Promise<string> {
  const [action, name] = args;
  const core = await runningCore(home);
  const api = core ? adminApi(core) : undefined;
  switch (action) {
    case 'list':
    case undefined: {
      const list = api ? await api.snapshots() : await (await offlineStore(home)).list();
      return renderSnapshots(list);
    }
    case 'save': {
      const { timestampName } = await import('../../../stack/snapshots.js');
      const chosen = options.branch ? branchName() : (name ?? timestampName());
      const saved = api
        ? await api.saveSnapshot(chosen)
        : await (await import('../../snapshots/snapshot-service.js')).saveAtRest(
            await offlineStore(home),
            chosen,
            'saved by hand (apprun was down)',
          );
      return `saved snapshot ${saved.name} (${size(saved.sizeBytes)}: ${saved.contents.join(', ')})\n`;
    }
    case 'restore': {
      if (!name) throw new Error('snapshot restore needs the name of a snapshot (`apprun snapshot list`)');
      const restored = api
        ? await api.restoreSnapshot(name)
        : await (await offlineStore(home)).restore(name, async (swap) => {
            await swap();
            await (await import('../../snapshots/restore-baseline.js')).forgetBaseline(home);
          });
      return `restored snapshot ${restored.name} (taken ${restored.createdAt})${api ? '; the services are running on it' : '; `apprun up` starts on it'}\n`;
    }
    case 'rm': {
      if (!name) throw new Error('snapshot rm needs the name of a snapshot (`apprun snapshot list`)');
      if (api) await api.deleteSnapshot(name);
      else await (await offlineStore(home)).remove(name);
      return `removed snapshot ${name}\n`;
    }
    default:
      throw new Error(`snapshot takes save, list, restore or rm, not "${action}"`);
  }
}

/** `apprun reset [--keep-users]`: back to migrations + seed. */
export async function reset(home: AppHome, keepUsers: boolean): Promise<string> {
  const core = await runningCore(home);
  if (core) {
    const result = await adminApi(core).reset(keepUsers);
    return (
      `reset to migrations + seed in ${result.ms} ms` +
      (result.fromSeed
        ? ' (a restore of the seed snapshot)'
        : ' (from empty data; the next reset restores this seed)') +
      `${keepUsers ? `; kept ${result.keptUsers} signed-up users` : ''}` +
      `${result.skippedUsers.length ? ` (not kept: ${result.skippedUsers.join(', ')})` : ''}\n`
    );
  }
  if (keepUsers) throw new Error('--keep-users needs a running apprun (`apprun up`), which holds the users');
  const data = path.join(home.root, 'data');
  await fs.rm(data, { recursive: true, force: true });
  await (await import('../../snapshots/restore-baseline.js')).forgetBaseline(home);
  return 'reset: the data is gone; the next `apprun up` starts from migrations + seed\n';
}
