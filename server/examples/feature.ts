import path from 'node:path';
import { packageRoot } from '../../stack/package-root.js';
import { defineFeature } from '../feature.js';
import { ExampleFunctions } from './example-functions.js';
import examplesPlugin from './plugin.js';

/** /api/functions/examples: apprun's built example functions, for the dashboard to deploy as a tenant. */
export const examplesFeature = defineFeature({
  name: 'examples',
  create: () => {
    const examples = new ExampleFunctions(path.join(packageRoot(), 'wasm'));
    return { routes: { scope: 'admin', register: (app) => app.register(examplesPlugin, { examples }) } };
  },
});
