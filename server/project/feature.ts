import { dataFeature } from '../data/feature.js';
import { defineFeature } from '../feature.js';
import { functionsFeature } from '../functions/feature.js';
import { type FolderChange, FolderWatcher } from './folder-watcher.js';
import projectPlugin from './plugin.js';
import { ProjectService } from './project-service.js';

/**
 * The developer's project (apprun/): its migrations were applied before PostgREST started (the databaseReady hook);
 * at start its policies and functions follow, and while it runs every file saved in the folder is brought in, as are
 * migrations saved while Postgres was down, once it is healed. /api/project shows it.
 */
export const projectFeature = defineFeature({
  name: 'project',
  needs: ['postgres', 'postgrest', 'minio'],
  create({ core, db, kratos, access, use, started, afterRestore }) {
    const data = use(dataFeature);
    const { project, progress } = core;
    const service = new ProjectService({
      project,
      db,
      ports: core.ports,
      secrets: core.secrets,
      progress,
      access,
      kratos,
      functions: use(functionsFeature).functions,
      schemaChanged: () => data.guard.refresh(db),
      afterRestore,
    });
    const onChange = async (change: FolderChange) => {
      try {
        if (change === 'migrations') await service.applyMigrations();
        else if (change === 'functions') await service.deployFunctions();
        else if (change === 'policies') await service.applyPolicies();
        else progress({ service: 'project', step: 'config.toml changed: restart `apprun up` to apply it' });
      } catch (err) {
        progress({ service: 'project', step: `✗ ${change}: ${(err as Error).message}` });
      }
    };
    // The built-in demo is apprun's own: nobody edits it while it runs.
    // A second gateway leaves the folder to the appliance, which applies it once for all.
    const watcher = project.builtIn || core.replica ? undefined : new FolderWatcher(project.dir, onChange);
    // Postgres back alone (healed, or restarted from the dashboard) while PostgREST kept running: migrations saved
    // meanwhile are applied now. When PostgREST starts again too (a restore), its databaseReady hook does that.
    const onService = (name: string, state: string) => {
      if (name === 'postgres' && state === 'healthy' && core.supervisor.stateOf('postgrest') === 'healthy')
        void onChange('migrations');
    };
    return {
      service,
      async start() {
        if (core.replica === 'appliance') return;
        // The folder's functions and its policies need different things started: each goes as soon as it can.
        await Promise.all([
          started(functionsFeature).then(() => service.deployFunctions({ atStart: true })),
          access.policiesLoaded.then(() => service.applyPolicies()),
        ]);
        watcher?.start();
        if (watcher) core.supervisor.on('change', onService);
      },
      routes: { scope: 'admin', register: (app) => app.register(projectPlugin, { project: service }) },
      stop: async () => {
        core.supervisor.off('change', onService);
        await watcher?.stop();
      },
    };
  },
});
