import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../stack/package-root.js';

const bundled = new Map<string, URL>();

/**
 * Where the code of a thread or process the core starts is (a function worker, the load generator): in the built
 * app, `dist/<name>.js` beside the core's bundle (scripts/build.mjs builds each). When the core runs from the
 * TypeScript sources (tests, benches), the source is bundled once per process with esbuild into node_modules/.cache,
 * where its bare imports resolve. (Loading it through tsx instead cost ~1.5 GB and 8 s for the preparation worker:
 * tsx transforms binaryen's 14 MB bundle.)
 */
export function entryPoint(name: string, source: URL): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith('.ts')) return new URL(`./${name}.js`, here);
  const cached = bundled.get(name);
  if (cached) return cached;
  const file = fileURLToPath(source);
  const hash = createHash('sha256').update(file).digest('hex').slice(0, 8);
  const out = path.join(
    packageRoot(),
    'node_modules',
    '.cache',
    'apprun-entries',
    `${name}-${process.pid}-${hash}.mjs`,
  );
  // A dev-only dependency, loaded only on this path.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  const options = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external' } as const;
  buildSync({ ...options, entryPoints: [file], outfile: out, logLevel: 'warning' });
  const url = pathToFileURL(out);
  bundled.set(name, url);
  process.once('exit', () => fs.rmSync(out, { force: true }));
  return url;
}
