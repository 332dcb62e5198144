import fs from 'node:fs';
import { STATE_FILE, stack } from './stack';

export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(STATE_FILE)) return;
  const { pid, home } = stack();
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 300; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // it has exited
  }
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(STATE_FILE, { force: true });
}
