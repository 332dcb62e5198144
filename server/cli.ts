import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AppHome, resolveHomeDir } from '../stack/home.js';
import { packageRoot } from '../stack/package-root.js';
import { isAlive, reapPidFile } from '../stack/pid-files.js';
import { parsePortBase } from '../stack/ports.js';
import { SERVICES } from '../stack/services/index.js';
import { ALL_SERVICES } from '../stack/stack.js';
import { adminApi, type SuiteName } from './api/contract.js';
import { progressPrinter } from './cli/format.js';
import { fetchStack, renderStatus } from './cli/status.js';
import { Core, type CoreState, type DriverChoice, runningCore } from './core.js';
import { DEFAULT_DEV_PASSWORD } from './settings.js';

const USAGE = `apprun — a local backend platform in one command

usage: apprun <command> [options]

commands:
  up        start the stack and the gateway in the foreground (Ctrl-C stops everything)
  status    show every service: state, health, pid, port, memory, CPU
  down      stop a running apprun and everything it started
  start     open the desktop app; without an Electron binary, run \`up\`
  kpi       run the KPI suites on the running apprun and print the verdicts (exit 1 if one fails)
  report    write the POC report (Markdown + self-contained HTML) from the stored KPI runs
  snapshot save [NAME] [--branch] | list | restore NAME | rm NAME
            one checkpoint of the whole stack (data of every service, settings), restored in seconds
  reset     back to migrations + seed (--keep-users keeps the users who signed up)
  images    the image each service runs under the Docker driver, and whether the engine holds it
  images build
            build the local images from the native binaries (for engines that cannot pull)

options:
  --home DIR          app home (default: $APPRUN_HOME, else the OS user-data dir)
  --port-base N       move every port to N, N+1, … (default: $APPRUN_PORT_BASE, else the POC ports)
  --driver D          native, docker or auto (up; default: $APPRUN_DRIVER, else the settings, else native)
  --dev-tokens        enable POST /auth/dev-token: tokens without a password, DEV ONLY (up)
  --json              machine-readable output (status, kpi)
  --suite a,b         the KPI suites to run (kpi; default all): data, auth, wasm, resources, start, isolation,
                      rbac, workflow
  --profile P         quick (about a minute) or full (a few minutes) (kpi; default quick)
  --out DIR           where report writes apprun-poc-report.md and .html (default: the current folder)
`;

function fail(message: string): never {
  process.stderr.write(`apprun: ${message}\n`);
  process.exit(1);
}

async function up(
  home: string,
  portBase: number | undefined,
  devTokens: boolean,
  driver?: DriverChoice,
): Promise<void> {
  const core = new Core({ home, portBase, devTokens, driver, progress: progressPrinter() });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping services…\n`);
    await core.stop();
    process.stdout.write('apprun stopped; no processes left behind\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  let state: CoreState;
  try {
    state = await core.start();
  } catch (err) {
    fail((err as Error).message);
  }
  // From here on the services run: leaving the process (fail() exits) would end them by their parent-death signal
  // instead of a clean stop. A signal right after ready is already stopping them, and a status the core cannot give
  // this once is left out of the banner.
  const status = await fetchStack(state).then(
    (stack) => renderStatus(state, stack),
    (err: Error) => (stopping ? undefined : `(status unavailable: ${err.message}; try \`apprun status\`)`),
  );
  if (stopping) return;
  const out = [
    '',
    `apprun is up (home: ${state.home})`,
    `  dashboard    ${state.gatewayUrl}/ui/?token=${state.adminToken}`,
    `  gateway      ${state.gatewayUrl}`,
    `  data API     ${state.gatewayUrl}/data/<table>`,
    ...SERVICES.map(({ banner }) => `  ${banner.label.padEnd(12)} ${banner.endpoint(state.ports)}`),
    `  admin token  ${state.adminToken}   (x-apprun-admin-token header for /api/*)`,
    `  log in       POST ${state.gatewayUrl}/auth/login ` +
      `{"email":"alice@test.com","password":"${DEFAULT_DEV_PASSWORD}"}   (seeded dev users: alice, bob, charlie ` +
      `@test.com)`,
    devTokens
      ? `  dev tokens   POST ${state.gatewayUrl}/auth/dev-token {"email":"alice@test.com"}   (DEV ONLY: no password)`
      : '',
    '',
    status,
    '',
    'Ctrl-C stops everything.',
  ];
  process.stdout.write(`${out.filter((l) => l !== undefined).join('\n')}\n`);
}

async function kpi(home: AppHome, values: { suite?: string; profile?: string; json: boolean }): Promise<void> {
  const state = await runningCore(home);
  if (!state) fail(`apprun is not running (home: ${home.root}); start it with \`apprun up\``);
  if (values.profile !== 'quick' && values.profile !== 'full')
    fail(`--profile is quick or full, not "${values.profile}"`);
  const { parseSuites, runKpis } = await import('./cli/kpi.js');
  let suites: SuiteName[] | undefined;
  try {
    suites = parseSuites(values.suite);
  } catch (err) {
    fail((err as Error).message);
  }
  process.exitCode = await runKpis(state, { suites, profile: values.profile, json: values.json });
}

async function report(home: AppHome, out: string): Promise<void> {
  const state = await runningCore(home);
  if (!state) fail(`apprun is not running (home: ${home.root}); start it with \`apprun up\``);
  const api = adminApi(state, { timeoutMs: 15_000 });
  fs.mkdirSync(out, { recursive: true });
  for (const format of ['md', 'html'] as const) {
    const file = path.join(out, `apprun-poc-report.${format}`);
    fs.writeFileSync(file, await api.report(format));
    process.stdout.write(`wrote ${file}\n`);
  }
}

async function status(home: AppHome, json: boolean): Promise<void> {
  const state = await runningCore(home);
  if (!state) {
    if (json) process.stdout.write(`${JSON.stringify({ running: false })}\n`);
    else process.stdout.write(`apprun is not running (home: ${home.root})\n`);
    process.exitCode = 3;
    return;
  }
  const stack = await fetchStack(state);
  process.stdout.write(
    json
      ? `${JSON.stringify({ running: true, gatewayUrl: state.gatewayUrl, ...stack }, null, 2)}\n`
      : `${renderStatus(state, stack)}\n`,
  );
}

async function down(home: AppHome): Promise<void> {
  const state = await runningCore(home);
  if (state) {
    process.stdout.write(`stopping apprun (pid ${state.pid})…\n`);
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(state.pid)) fail(`pid ${state.pid} did not stop within 60 s`);
  }
  // Services a killed core left behind (its pid files remain).
  const reaped: string[] = [];
  for (const name of ALL_SERVICES) {
    const pid = await reapPidFile(home.pidFile(name));
    if (pid) reaped.push(`${name} (pid ${pid})`);
  }
  if (reaped.length) process.stdout.write(`reaped orphans: ${reaped.join(', ')}\n`);
  process.stdout.write(state || reaped.length ? 'apprun is down\n' : `apprun was not running (home: ${home.root})\n`);
}

/** Electron's binary, downloading it on first use (npm does not run Electron's install script); or why not. */
function electronBinary(): { path?: string; reason?: string } {
  const require = createRequire(import.meta.url);
  const locate = () => {
    try {
      return require('electron') as unknown as string;
    } catch {
      return undefined;
    }
  };
  const found = locate();
  if (found && fs.existsSync(found)) return { path: found };
  let installer: string;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const res = spawnSync(process.execPath, [installer], { encoding: 'utf8', timeout: 180_000 });
  const after = locate();
  if (res.status === 0 && after && fs.existsSync(after)) return { path: after };
  const why = `${res.stderr ?? ''}${res.error?.message ?? ''}`
    .split('\n')
    .find((l) => /error|ENOTFOUND|EAI_AGAIN|ECONN|timed out/i.test(l))
    ?.trim();
  return { reason: `its download failed${why ? `: ${why.slice(0, 120)}` : ''}` };
}

/** The desktop app where Electron can run; otherwise the headless core, said in one line. */
async function start(home: string, portBase: number | undefined, devTokens: boolean): Promise<void> {
  const electron = electronBinary();
  const mainEntry = path.join(packageRoot(), 'out', 'main', 'index.cjs');
  if (!electron.path || !fs.existsSync(mainEntry)) {
    const reason = electron.reason ?? 'the desktop app is not built (npm run build)';
    process.stdout.write(
      `Electron binary not available here (${reason}): running the headless core (apprun up); open the dashboard ` +
        `URL below.\n`,
    );
    return up(home, portBase, devTokens);
  }
  const env = {
    ...process.env,
    APPRUN_HOME: home,
    ...(portBase !== undefined ? { APPRUN_PORT_BASE: String(portBase) } : {}),
  };
  const child = spawn(electron.path, [packageRoot()], { stdio: 'inherit', env });
  child.on('exit', (code) => process.exit(code ?? 0));
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      home: { type: 'string' },
      'port-base': { type: 'string' },
      'dev-tokens': { type: 'boolean', default: false },
      driver: { type: 'string' },
      json: { type: 'boolean', default: false },
      suite: { type: 'string' },
      profile: { type: 'string', default: 'quick' },
      out: { type: 'string', default: '.' },
      help: { type: 'boolean', short: 'h' },
      branch: { type: 'boolean', default: false },
      'keep-users': { type: 'boolean', default: false },
    },
  });
  const command = positionals[0] ?? 'help';
  const homeDir = values.home ?? resolveHomeDir();
  const portBase = parsePortBase(values['port-base'] ?? process.env.APPRUN_PORT_BASE);
  const devTokens = values['dev-tokens'];
  const home = new AppHome(homeDir);
  switch (values.help ? 'help' : command) {
    case 'up': {
      const driver = values.driver;
      if (driver !== undefined && driver !== 'native' && driver !== 'docker' && driver !== 'auto')
        fail(`--driver is native, docker or auto, not "${driver}"`);
      return up(homeDir, portBase, devTokens, driver);
    }
    case 'start':
      return start(homeDir, portBase, devTokens);
    case 'status':
      return status(home, values.json);
    case 'down':
      return down(home);
    case 'kpi':
      return kpi(home, values);
    case 'report':
      return report(home, values.out);
    // Each command loads its own module: a command starts without loading the others' dependencies.
    case 'snapshot': {
      const { snapshot } = await import('./cli/snapshot.js');
      process.stdout.write(await snapshot(home, positionals.slice(1), { branch: values.branch }));
      return;
    }
    case 'reset': {
      const { reset } = await import('./cli/snapshot.js');
      process.stdout.write(await reset(home, values['keep-users']));
      return;
    }
    case 'images': {
      const { images } = await import('./cli/images.js');
      process.stdout.write(await images(home, positionals[1], progressPrinter()));
      return;
    }
    case 'help':
      process.stdout.write(USAGE);
      return;
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => fail(err.message));
