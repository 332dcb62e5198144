import { describe, expect, it } from 'vitest';
import { describeExit } from './native-driver.js';

describe('describeExit', () => {
  it('tells people why a service ended', () => {
    expect(describeExit(1, null).reason).toBe('exit code 1');
    expect(describeExit(null, 'SIGTERM').reason).toBe('killed by SIGTERM');
    expect(describeExit(null, 'SIGKILL').reason).toBe('killed by SIGKILL (kill -9)');
    expect(describeExit(null, 'SIGKILL', 1).reason).toMatch(/OOM killer/);
  });
});
