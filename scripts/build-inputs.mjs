// What each build step reads, fingerprinted by path, size and mtime: a step whose inputs did not change since its last
// build (and whose outputs exist) is skipped, so `npm start` on an unchanged checkout starts at once.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const SKIP_DIRS = new Set(['node_modules', 'build', 'dist', 'out', 'test-results', '.git']);
const STAMPS = path.join('node_modules', '.cache', 'apprun-build');

function walk(entry, files) {
  let st;
  try {
    st = fs.statSync(entry);
  } catch {
    return; // an optional input
  }
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(entry).sort()) if (!SKIP_DIRS.has(name)) walk(path.join(entry, name), files);
  } else if (!/\.test\.tsx?$/.test(entry)) {
    files.push(`${entry}\0${st.size}\0${st.mtimeMs}`);
  }
}

export function fingerprint(inputs) {
  const files = [];
  for (const input of inputs) walk(input, files);
  return createHash('sha256')
    .update(`${process.version}\n${files.join('\n')}`)
    .digest('hex');
}

/** Runs `build` unless the inputs' fingerprint matches the last build's and every output exists; `force` always builds. */
export async function buildStep(name, { inputs, outputs, force }, build) {
  const t0 = performance.now();
  const stamp = path.join(STAMPS, `${name}.json`);
  const now = fingerprint(inputs);
  let last;
  try {
    last = JSON.parse(fs.readFileSync(stamp, 'utf8')).fingerprint;
  } catch {
    last = undefined;
  }
  if (!force && last === now && outputs.every((o) => fs.existsSync(o))) {
    process.stdout.write(`build: ${name} is up to date (checked in ${Math.round(performance.now() - t0)} ms)\n`);
    return false;
  }
  await build();
  fs.mkdirSync(STAMPS, { recursive: true });
  // The fingerprint taken before the build: a source edited while it ran makes the next build run again.
  fs.writeFileSync(stamp, JSON.stringify({ fingerprint: now, at: new Date().toISOString() }));
  return true;
}
