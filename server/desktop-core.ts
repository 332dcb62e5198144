// The core as the desktop app runs it: in an Electron utilityProcess (off the UI thread), reporting progress and its
// state to the main process, and stopping when asked or when the main process goes away.
import { Core } from './core.js';
import { openProject, projectHome } from './project/project.js';

interface ParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
}
const parent = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parent) {
  process.stderr.write('desktop-core runs inside the Electron app; use `apprun up` from a terminal\n');
  process.exit(1);
}

// The project `apprun start` was run in (APPRUN_PROJECT), else the built-in demo.
const project = openProject(process.env.APPRUN_PROJECT);
const core = new Core({
  project,
  home: projectHome(project),
  progress: (event) => parent.postMessage({ type: 'progress', event }),
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await core.stop();
  parent.postMessage({ type: 'stopped' });
  process.exit(0);
};
parent.on('message', (e) => {
  if ((e.data as { type?: string })?.type === 'stop') void stop();
});
process.on('SIGTERM', () => void stop());

core
  .start()
  .then((state) => parent.postMessage({ type: 'ready', state }))
  .catch((err: Error) => {
    parent.postMessage({ type: 'failed', message: err.message });
    void stop();
  });
