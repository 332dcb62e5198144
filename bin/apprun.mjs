#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('apprun: the core is not built yet; run `npm run build` in the apprun folder\n');
  process.exit(1);
}
await import(cli.href);
