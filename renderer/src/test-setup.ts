import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Without vitest's globals Testing Library cannot register its own cleanup: unmount what each test rendered here,
// and put back what it spied on or faked.
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.useRealTimers();
});
