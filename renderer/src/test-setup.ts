import { cleanup } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Without vitest's globals Testing Library cannot register its own cleanup: unmount what each test rendered here,
// put back what it spied on or faked, and forget the tab's stored session (each test starts signed out).
afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.useRealTimers();
  sessionStorage.clear();
});
