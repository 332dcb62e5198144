import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from '@playwright/test';
import type { ViteDevServer } from 'vite';
import { DEFAULT_DEV_PASSWORD } from '../../../server/settings';
import { type RunningApprun, startApprun } from '../../../server/test/apprun-process';
import { TEST_PORT_BASES } from '../../../server/test/port-bases';
import { NotesApp } from '../../pages/notes-app';
import { ROOT, SCREENSHOTS } from '../../stack';

// The notes example end to end: its backend is `apprun up` in examples/notes (its own apprun/ folder), its web app is
// served by its own Vite dev server on another loopback port and calls the gateway directly (CORS), with postgrest-js
// typed by the generated types. Two users of two tenants each see only their tenant's notes.

const EXAMPLE = path.join(ROOT, 'examples', 'notes');
let backend: RunningApprun;
let vite: ViteDevServer;
let appUrl: string;
let home: string;

test.beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-notes-'));
  fs.chmodSync(home, 0o755);
  backend = await startApprun(home, TEST_PORT_BASES.notes, ['--project', EXAMPLE]);
  const { createServer } = await import('vite');
  process.env.VITE_APPRUN_URL = backend.state.gatewayUrl;
  vite = await createServer({
    root: EXAMPLE,
    configFile: path.join(EXAMPLE, 'vite.config.ts'),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await vite.listen();
  const address = vite.httpServer!.address() as { port: number };
  appUrl = `http://localhost:${address.port}/`;
});

test.afterAll(async () => {
  await vite?.close();
  await backend?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

test('two users of two tenants each see only their tenant’s notes', async ({ page }) => {
  const app = new NotesApp(page);
  await page.goto(appUrl);
  await app.signIn('alice@test.com', DEFAULT_DEV_PASSWORD);
  await app.expectNotes(['Remember to invite Bob', 'Tenant 1 kick-off: ship the notes app']);
  await app.add('Alice’s note from the browser');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'notes-example.png') });
  await app.signOut();

  await app.signIn('charlie@test.com', DEFAULT_DEV_PASSWORD);
  await app.expectNotes(['Tenant 2 roadmap, private']);
  await app.add('Charlie’s note');
  await app.expectNotes(['Charlie’s note', 'Tenant 2 roadmap, private']);
  await app.signOut();

  await app.signIn('bob@test.com', DEFAULT_DEV_PASSWORD);
  await app.expectNotes([
    'Alice’s note from the browser',
    'Remember to invite Bob',
    'Tenant 1 kick-off: ship the notes app',
  ]);
});
