import { type FormEvent, useState } from 'react';
import type { SnapshotView } from '../../../server/api/contract';
import { api } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Empty, ErrorNotice, Loading } from '../components/Notice';
import { fileSize } from '../format';
import { useAction } from '../use-action';
import { usePoll } from '../use-poll';

type Pending = { kind: 'restore' | 'delete'; name: string } | { kind: 'reset'; keepUsers: boolean };

const CONFIRM: Record<Pending['kind'], (p: Pending) => { title: string; body: string; label: string }> = {
  restore: (p) => ({
    title: `restore ${'name' in p ? p.name : ''}?`,
    body:
      'Every service stops, the stack goes back to this snapshot (database, identities, policies, objects, functions, ' +
      'workflows, settings) and starts again. What changed since it was taken is gone.',
    label: 'restore',
  }),
  delete: (p) => ({
    title: `delete ${'name' in p ? p.name : ''}?`,
    body: 'The snapshot is removed from disk.',
    label: 'delete',
  }),
  reset: (p) => ({
    title: 'reset to the seed?',
    body: `The stack goes back to migrations + seed: every row, stored object, deployed function and workflow history written since is wiped${'keepUsers' in p && p.keepUsers ? '; the users who signed up are kept, with their passwords' : ', and so are the users who signed up'}. Settings and snapshots stay.`,
    label: 'reset and wipe',
  }),
};

/** Checkpoints of the whole stack: save one, list them, restore one (confirmed), delete one; reset to the seed. */
export function Snapshots() {
  const list = usePoll(() => api.snapshots(), 10_000);
  const [name, setName] = useState('');
  const [pending, setPending] = useState<Pending>();
  const [working, setWorking] = useState<string>();
  const [done, setDone] = useState<string>();
  const { busy, error, run } = useAction();

  const act = (what: string, fn: () => Promise<string>) =>
    run(async () => {
      setDone(undefined);
      setWorking(what);
      try {
        setDone(await fn());
        list.refresh();
      } finally {
        setWorking(undefined);
      }
    });
  const save = (e: FormEvent) => {
    e.preventDefault();
    void act('saving a snapshot (services held still for the copy)…', async () => {
      const saved = await api.saveSnapshot(name.trim() || undefined);
      setName('');
      return `saved ${saved.name} (${fileSize(saved.sizeBytes)})`;
    });
  };
  const confirm = () => {
    const p = pending!;
    setPending(undefined);
    if (p.kind === 'restore')
      void act(`restoring ${p.name}: stopping the services, swapping the data, starting them…`, async () => {
        await api.restoreSnapshot(p.name);
        return `restored ${p.name}; every service runs on it`;
      });
    else if (p.kind === 'delete')
      void act(`deleting ${p.name}…`, async () => {
        await api.deleteSnapshot(p.name);
        return `deleted ${p.name}`;
      });
    else {
      const keepUsers = 'keepUsers' in p && p.keepUsers;
      void act('resetting to migrations + seed…', async () => {
        const r = await api.reset(keepUsers);
        return `reset to the seed in ${r.ms} ms${r.fromSeed ? '' : ' (from empty data: the next reset is faster)'}${keepUsers ? `; kept ${r.keptUsers} users` : ''}`;
      });
    }
  };

  if (list.loading && !list.data) return <Loading what="snapshots" />;
  const confirmText = pending ? CONFIRM[pending.kind](pending) : undefined;
  return (
    <section aria-labelledby="snapshots-title">
      <h1 id="snapshots-title">Snapshots</h1>
      <form onSubmit={save} className="inline-form">
        <label>
          Name{' '}
          <input
            type="text"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="the time"
            maxLength={64}
            data-testid="snapshot-name"
          />
        </label>
        <button type="submit" className="primary" disabled={busy} data-testid="snapshot-save">
          save a snapshot
        </button>
        <span className="toolbar-gap" />
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => setPending({ kind: 'reset', keepUsers: true })}
        >
          reset, keep users…
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => setPending({ kind: 'reset', keepUsers: false })}
        >
          reset…
        </button>
      </form>
      {working ? (
        <p className="notice" role="status" data-testid="snapshot-progress">
          {working}
        </p>
      ) : null}
      {done ? (
        <p className="notice" role="status" data-testid="snapshot-done">
          {done}
        </p>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {list.data?.length === 0 ? (
        <Empty>No snapshots yet: save one before an experiment, restore it after.</Empty>
      ) : (
        <table className="functions" data-testid="snapshots-table">
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">taken</th>
              <th scope="col">size</th>
              <th scope="col">contains</th>
              <th scope="col">why</th>
              <th scope="col" aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((s: SnapshotView) => (
              <tr key={s.name} data-testid={`snapshot-row-${s.name}`}>
                <td>{s.name}</td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
                <td>{fileSize(s.sizeBytes)}</td>
                <td>{s.contents.join(', ')}</td>
                <td>{s.reason}</td>
                <td>
                  <button type="button" disabled={busy} onClick={() => setPending({ kind: 'restore', name: s.name })}>
                    restore…
                  </button>
                  <button
                    type="button"
                    className="danger"
                    disabled={busy}
                    onClick={() => setPending({ kind: 'delete', name: s.name })}
                  >
                    delete…
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={pending !== undefined}
        danger
        title={confirmText?.title ?? ''}
        body={confirmText?.body ?? ''}
        confirmLabel={confirmText?.label ?? ''}
        onConfirm={confirm}
        onCancel={() => setPending(undefined)}
      />
    </section>
  );
}
