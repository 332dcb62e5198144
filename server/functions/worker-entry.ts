import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from '../../stack/package-root.js';

const bundled = new Map<string, URL>();

/**
 * Where a worker's code is: next to the bundle in dist/ (the built app). When the gateway itself runs from the
 * TypeScript sources (tests, benches), the worker's source is bundled once per process with esbuild into
 * node_modules/.cache, where its bare imports resolve. (Loading it through tsx instead cost ~1.5 GB and 8 s for the
 * preparation worker: tsx transforms binaryen's 14 MB bundle.)
 */
export function workerEntry(file: string): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith('.ts')) return new URL(`./${file}.js`, here);
  const cached = bundled.get(file);
  if (cached) return cached;
  const source = fileURLToPath(new URL(`./${file}.ts`, here));
  const out = path.join(
    packageRoot(),
    'node_modules',
    '.cache',
    'apprun-workers',
    `${file}-${process.pid}-${createHash('sha256').update(source).digest('hex').slice(0, 8)}.mjs`,
  );
  // A dev-only dependency, loaded only on this path.
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  buildSync({
    entryPoints: [source],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const url = pathToFileURL(out);
  bundled.set(file, url);
  process.once('exit', () => fs.rmSync(out, { force: true }));
  return url;
}
