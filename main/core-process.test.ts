import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CoreState } from '../server/core-state';
import { ALLOCATOR_ENV, CoreProcess } from './core-process';
import { FakeUtilityProcessFactory, settle } from './test-support/fake-electron';

const state: CoreState = {
  pid: 99,
  home: '/tmp/apprun-home',
  ports: {} as CoreState['ports'],
  gatewayUrl: 'http://127.0.0.1:8080',
  adminToken: 'admin-token',
  startedAt: 1,
};

function started(stopTimeoutMs?: number) {
  const utilityProcess = new FakeUtilityProcessFactory();
  const core = new CoreProcess('/opt/apprun', utilityProcess, stopTimeoutMs);
  const progress: string[] = [];
  const ready = core.start((line) => progress.push(line));
  return { core, child: utilityProcess.last, progress, ready };
}

describe('CoreProcess', () => {
  it('forks the built desktop core from the app root as a named utility process', () => {
    const { child } = started();
    expect(child.modulePath).toBe(path.join('/opt/apprun', 'dist', 'desktop-core.js'));
    expect(child.options).toMatchObject({ serviceName: 'apprun core', stdio: 'inherit' });
    // The allocator gives back what a finished thread freed; the rest of the environment passes through.
    expect(child.options.env).toMatchObject({ ...ALLOCATOR_ENV, PATH: process.env.PATH });
  });

  it('passes progress on as lines and resolves with the state the core reports when ready', async () => {
    const { core, child, progress, ready } = started();
    child.emit('message', { type: 'progress', event: { service: 'postgres', step: 'initdb' } });
    child.emit('message', { type: 'progress', event: { step: 'gateway listening' } });
    expect(core.state).toBeUndefined();
    child.emit('message', { type: 'ready', state });
    await expect(ready).resolves.toEqual(state);
    expect(core.state).toEqual(state);
    expect(progress).toEqual(['postgres: initdb', 'core: gateway listening']);
  });

  it("rejects with the core's own message when it fails to start", async () => {
    const { core, child, ready } = started();
    child.emit('message', { type: 'failed', message: 'port 8080 is taken' });
    await expect(ready).rejects.toThrow('port 8080 is taken');
    expect(core.state).toBeUndefined();
  });

  it('rejects, naming the exit code, when the core exits before it is ready', async () => {
    const { child, ready } = started();
    child.exitWith(3);
    await expect(ready).rejects.toThrow('the apprun core exited (3) before it was ready');
  });

  it('an exit after ready changes nothing about the start', async () => {
    const { child, ready } = started();
    child.emit('message', { type: 'ready', state });
    child.exitWith(0);
    await expect(ready).resolves.toEqual(state);
  });

  it('stop asks the core to stop and waits for it to exit, without killing it', async () => {
    const { core, child } = started();
    child.emit('message', { type: 'ready', state });
    await core.stop();
    expect(child.received).toEqual([{ type: 'stop' }]);
    expect(child.pid).toBeUndefined();
    expect(child.killed).toBe(0);
  });

  it('stop kills a core that has not exited when its timeout passes', async () => {
    const { core, child } = started(20);
    child.emit('message', { type: 'ready', state });
    child.exitOnStop = false;
    let stopped = false;
    const stopping = core.stop().then(() => (stopped = true));
    await settle();
    expect(child.received).toEqual([{ type: 'stop' }]);
    expect(stopped).toBe(false);
    await stopping;
    expect(child.killed).toBe(1);
    expect(child.pid).toBeUndefined();
  });

  it('stop does nothing when no core was started or it has already exited', async () => {
    await expect(new CoreProcess('/opt/apprun', new FakeUtilityProcessFactory()).stop()).resolves.toBeUndefined();
    const { core, child, ready } = started();
    child.exitWith(1);
    await expect(ready).rejects.toThrow();
    await core.stop();
    expect(child.received).toEqual([]);
  });
});
