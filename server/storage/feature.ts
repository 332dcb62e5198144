import { defineFeature } from '../feature.js';
import storagePlugin from './plugin.js';
import { StorageService } from './storage-service.js';

/** /storage: each tenant's objects in one MinIO bucket, under its own prefix. */
export const storageFeature = defineFeature({
  name: 'storage',
  needs: ['minio'],
  create({ minio }) {
    const storage = new StorageService(minio);
    return {
      start: () => storage.start(),
      afterRestore: () => storage.start(),
      routes: { scope: 'tenant', register: (app) => app.register(storagePlugin, { prefix: '/storage', storage }) },
    };
  },
});
