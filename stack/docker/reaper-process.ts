// The container reaper (in the style of Testcontainers' Ryuk): a process of its own, started by the core, that
// removes every container of the core's app home once the core is gone, however it went (a kill -9 included).
// Arguments: the app home, the core's pid.
import { AppHome } from '../home.js';
import { DockerDriver } from './docker-driver.js';
import { connectEngine } from './engine.js';

const [root, pidText] = process.argv.slice(2);
const corePid = Number(pidText);
const alive = () => {
  try {
    process.kill(corePid, 0);
    return true;
  } catch {
    return false;
  }
};
const timer = setInterval(async () => {
  if (alive()) return;
  clearInterval(timer);
  const engine = await connectEngine();
  if (engine.docker) await new DockerDriver(new AppHome(root!), engine.docker).reap();
  process.exit(0);
}, 500);
process.on('SIGTERM', () => process.exit(0));
