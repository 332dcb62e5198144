import path from 'node:path';
import { packageRoot } from '../../stack/package-root.js';
import { defineFeature } from '../feature.js';
import uiPlugin from './plugin.js';

/** /ui: the built dashboard, for any browser, in the admin scope. */
export const uiFeature = defineFeature({
  name: 'ui',
  create: () => ({
    routes: {
      scope: 'admin',
      register: (app) => app.register(uiPlugin, { rendererDir: path.join(packageRoot(), 'out', 'renderer') }),
    },
  }),
});
