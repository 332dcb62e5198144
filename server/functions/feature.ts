import { defineFeature } from '../feature.js';
import { FunctionPool } from './function-pool.js';
import { FunctionService } from './function-service.js';
import functionsPlugin from './plugin.js';
import { PreparationThread } from './preparation-thread.js';

/** /functions: tenants' WebAssembly functions, kept in MinIO, run on the function pool's threads. */
export const functionsFeature = defineFeature({
  name: 'functions',
  needs: ['postgres', 'minio'],
  create({ db, minio, plans, sleeper, changes }) {
    const pool = new FunctionPool();
    // The pool's threads (~10 MB each, with their warm instances) go after the idle time, like the services; the
    // preparation thread retires by itself.
    sleeper.releaseWhenIdle((idleMs) => pool.releaseIdle(idleMs));
    const functions = new FunctionService(db, minio, pool, new PreparationThread(), plans, changes);
    return {
      functions,
      start: () => functions.start(),
      afterRestore: () => functions.restored(),
      routes: {
        scope: 'tenant',
        register: (app) => app.register(functionsPlugin, { prefix: '/functions', functions }),
      },
      stop: () => functions.stop(),
    };
  },
});
