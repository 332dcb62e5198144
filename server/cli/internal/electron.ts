import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';

/** Electron's binary, downloading it on first use (npm does not run Electron's install script); or why not. */
export function electronBinary(): { path?: string; reason?: string } {
  const require = createRequire(import.meta.url);
  const locate = () => {
    try {
      return require('electron') as unknown as string;
    } catch {
      return undefined;
    }
  };
  const found = locate();
  if (found && fs.existsSync(found)) return { path: found };
  let installer: string;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const res = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 180_000 });
  const after = locate();
  if (res.status === 0 && after && fs.existsSync(after)) return { path: after };
  const why = `${res.stderr ?? ''}${res.error?.message ?? ''}`
    .split('\n')
    .find((l) => /error|ENOTFOUND|EAI_AGAIN|ECONN|timed out/i.test(l))
    ?.trim();
  return { reason: `its download failed${why ? `: ${why.slice(0, 120)}` : ''}` };
}
