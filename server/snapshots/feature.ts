import { defineFeature } from '../feature.js';
import { templateKey } from '../project/reset.js';
import { exportUsers, importUsers, type KeptUser } from './kept-users.js';
import snapshotsPlugin from './plugin.js';
import { SnapshotService } from './snapshot-service.js';

/** /api/snapshots and /api/reset: whole-stack checkpoints, restored in seconds. */
export const snapshotsFeature = defineFeature({
  name: 'snapshots',
  create({ core, db, kratos, access, afterRestore }) {
    const { home, store, supervisor, driver, progress } = core;
    const snapshots = new SnapshotService({
      home,
      store,
      supervisor,
      driver,
      db,
      progress,
      afterRestore,
      projectKey: () => templateKey(core.project),
      replica: core.replica !== undefined,
      users: {
        export: () => exportUsers(db, kratos),
        import: (users) => importUsers(db, kratos, access.authorizer, users as KeptUser[]),
      },
    });
    return { routes: { scope: 'admin', register: (app) => app.register(snapshotsPlugin, { snapshots }) } };
  },
});
