import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const STATE_FILE = path.join(ROOT, 'test-results', 'e2e-stack.json');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export interface E2eStack {
  pid: number;
  home: string;
  gatewayUrl: string;
  dashboardUrl: string;
}

export const stack = (): E2eStack => JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));

/** Runs the real `apprun up` (all five services) and resolves with its dashboard URL once it is ready. */
export function startApprun(home: string, portBase: number): Promise<E2eStack> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'apprun.mjs'), 'up', '--home', home, '--port-base', String(portBase)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`apprun up did not come up in 120 s:\n${out}`)), 120_000);
    const onData = (c: Buffer) => {
      out += c;
      const url = /dashboard\s+(http:\/\/\S+)/.exec(out)?.[1];
      if (url && out.includes('Ctrl-C stops everything')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        child.unref();
        resolve({ pid: child.pid!, home, gatewayUrl: new URL(url).origin, dashboardUrl: url });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c));
    child.once('exit', (code) => reject(new Error(`apprun up exited (${code}):\n${out}`)));
  });
}
