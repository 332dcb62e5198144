import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OnDemandWorker, type OnDemandWorkerOptions } from './on-demand-worker.js';

// The boundary faked here is the Temporal worker itself (the real one runs in the workflow and lifecycle suites):
// each start either works or fails as the test says.
const created: FakeWorker[] = [];
const startOutcomes: Array<Error | undefined> = [];

class FakeWorker {
  running = false;
  stopped = false;
  constructor() {
    created.push(this);
  }
  get state() {
    return { state: this.running ? 'running' : 'stopped' };
  }
  async start() {
    await new Promise((r) => setTimeout(r, 5));
    const failure = startOutcomes.shift();
    if (failure) throw failure;
    this.running = true;
  }
  async stop() {
    this.stopped = true;
    this.running = false;
  }
}

vi.mock('./worker.js', () => ({ WorkflowWorker: FakeWorker }));

function onDemand(open: () => Promise<boolean>) {
  const events: string[] = [];
  const options: OnDemandWorkerOptions = {
    address: '127.0.0.1:1',
    db: {} as OnDemandWorkerOptions['db'],
    logFile: '/dev/null',
    onEvent: (step) => events.push(step),
    hasOpenWorkflows: open,
  };
  return { worker: new OnDemandWorker(options), events };
}

beforeEach(() => {
  created.length = 0;
  startOutcomes.length = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('OnDemandWorker', () => {
  it('stays idle at start when no workflow is open, and says so', async () => {
    const { worker, events } = onDemand(async () => false);
    await worker.startIfNeeded();
    expect(worker.state).toEqual({ state: 'idle' });
    expect(events).toEqual(['worker idle: it starts with the first workflow']);
    expect(created).toHaveLength(0);
    await worker.stop();
  });

  it('starts at start when a workflow is open', async () => {
    const { worker, events } = onDemand(async () => true);
    await worker.startIfNeeded();
    expect(worker.state).toEqual({ state: 'running' });
    expect(events).toEqual([]);
    expect(created).toHaveLength(1);
    await worker.stop();
  });

  it('shares one start between concurrent first workflows, showing it as starting meanwhile', async () => {
    const { worker } = onDemand(async () => false);
    const both = Promise.all([worker.start(), worker.start()]);
    expect(worker.state).toEqual({ state: 'starting' });
    await both;
    expect(created).toHaveLength(1);
    expect(worker.state).toEqual({ state: 'running' });
    await worker.start();
    expect(created).toHaveLength(1);
    await worker.stop();
    expect(created[0]!.stopped).toBe(true);
  });

  it('shows a failed start with its reason, and the next workflow tries again', async () => {
    const { worker } = onDemand(async () => false);
    startOutcomes.push(new Error('Temporal refused the connection'));
    await expect(worker.start()).rejects.toThrow('Temporal refused the connection');
    expect(worker.state).toEqual({ state: 'failed', error: 'Temporal refused the connection' });
    expect(created[0]!.stopped).toBe(true); // what the failed start opened is closed
    await worker.start();
    expect(worker.state).toEqual({ state: 'running' });
    expect(created).toHaveLength(2);
    await worker.stop();
  });

  it('while idle, starts once Temporal reports an open workflow (started past the gateway)', async () => {
    vi.useFakeTimers();
    let open = false;
    let asked = 0;
    const { worker } = onDemand(async () => {
      asked++;
      return open;
    });
    await worker.startIfNeeded();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(asked).toBe(2);
    expect(worker.state).toEqual({ state: 'idle' });
    open = true;
    await vi.advanceTimersByTimeAsync(10_010);
    expect(worker.state).toEqual({ state: 'running' });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(asked).toBe(3); // a running worker stops the watch
    await worker.stop();
  });

  it('after stop: no start, no watch', async () => {
    vi.useFakeTimers();
    let asked = 0;
    const { worker } = onDemand(async () => {
      asked++;
      return false;
    });
    await worker.startIfNeeded();
    await worker.stop();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(asked).toBe(1);
    await expect(worker.start()).rejects.toThrow('the workflow worker is stopped');
    expect(created).toHaveLength(0);
  });
});
