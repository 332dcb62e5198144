// Every verb of `apprun`, in the order `apprun help` lists them. Adding a command is its file here and one line below.
import type { Command } from './command.js';
import { dbCommand } from './db.js';
import { downCommand } from './down.js';
import { explainCommand } from './explain.js';
import { exportCommand } from './export.js';
import { forwardCommand } from './forward.js';
import { functionsCommand } from './functions.js';
import { gatewayCommand } from './gateway.js';
import { genCommand } from './gen.js';
import { imagesCommand } from './images.js';
import { initCommand } from './init.js';
import { kpiCommand } from './kpi.js';
import { mailCommand } from './mail.js';
import { mcpCommand } from './mcp.js';
import { migrationCommand } from './migration.js';
import { reportCommand } from './report.js';
import { resetCommand } from './reset.js';
import { serviceCommand } from './service.js';
import { snapshotCommand } from './snapshot.js';
import { startCommand } from './start.js';
import { statusCommand } from './status.js';
import { upCommand } from './up.js';

export const COMMANDS: readonly Command[] = [
  initCommand,
  upCommand,
  statusCommand,
  downCommand,
  startCommand,
  gatewayCommand,
  serviceCommand,
  migrationCommand,
  dbCommand,
  genCommand,
  functionsCommand,
  kpiCommand,
  explainCommand,
  mailCommand,
  mcpCommand,
  reportCommand,
  snapshotCommand,
  resetCommand,
  imagesCommand,
  exportCommand,
  forwardCommand,
];
