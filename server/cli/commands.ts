// Every verb of `apprun`, in the order `apprun help` lists them. Adding a command is its file here and one line below.
import type { Command } from './command.js';
import { downCommand } from './down.js';
import { imagesCommand } from './images.js';
import { kpiCommand } from './kpi.js';
import { reportCommand } from './report.js';
import { resetCommand } from './reset.js';
import { snapshotCommand } from './snapshot.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { upCommand } from './up.js';

export const COMMANDS: readonly Command[] = [
  upCommand,
  statusCommand,
  downCommand,
  startCommand,
  kpiCommand,
  reportCommand,
  snapshotCommand,
  resetCommand,
  imagesCommand,
];
