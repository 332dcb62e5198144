import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apprun } from './cli.js';
import { stack } from './http.js';
import { mcpClient, textOf } from './mcp-client.js';

// `apprun mcp` driven over stdio by the SDK's own client, as a coding agent would: each tool on the shared stack (the
// built-in demo), and the refusals. apply_migration on a project of its own is in project.test.ts.

let client: Client;

/** read_data's rows. */
const readAs = async (as: string, path: string) =>
  JSON.parse(textOf(await client.callTool({ name: 'read_data', arguments: { as, path } })));

beforeAll(async () => {
  client = await mcpClient(stack().home);
});
afterAll(async () => {
  await client?.close();
});

describe('apprun mcp', () => {
  it('says what it is for, and lists its tools', async () => {
    expect(client.getServerVersion()?.name).toBe('apprun');
    expect(client.getInstructions()).toMatch(/local development only/);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(
      ['apply_migration', 'explain', 'list_tables', 'logs', 'mail', 'read_data', 'run_kpis', 'status'].sort(),
    );
  });

  it('status, list_tables, logs and mail describe the running stack', async () => {
    const status = JSON.parse(textOf(await client.callTool({ name: 'status', arguments: {} })));
    expect(status.services.map((s: { name: string }) => s.name)).toContain('postgres');
    const tables = JSON.parse(textOf(await client.callTool({ name: 'list_tables', arguments: {} })));
    expect(tables.tables.find((t: { name: string }) => t.name === 'products')?.verdict).toBe('safe');
    const logs = textOf(await client.callTool({ name: 'logs', arguments: { service: 'postgres', lines: 5 } }));
    expect(logs.split('\n').length).toBeLessThanOrEqual(5);
    const mail = JSON.parse(textOf(await client.callTool({ name: 'mail', arguments: { limit: 2 } })));
    expect(Array.isArray(mail)).toBe(true);
  });

  it('read_data reads as the user: their tenant only', async () => {
    const rows = await readAs('alice@test.com', '/products?select=name,tenant_id');
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r: { tenant_id: string }) => r.tenant_id))).toEqual(
      new Set(['00000000-0000-4000-8000-000000000001']),
    );
  });

  it('explain says why a request gets what it gets', async () => {
    const explanation = JSON.parse(
      textOf(
        await client.callTool({
          name: 'explain',
          arguments: { as: 'bob@test.com', method: 'GET', path: '/data/products' },
        }),
      ),
    );
    expect(explanation.summary).toBeTruthy();
  });

  it('runs a KPI suite and answers its verdicts', async () => {
    const result = JSON.parse(
      textOf(await client.callTool({ name: 'run_kpis', arguments: { suites: ['isolation'] } })),
    );
    expect(result.kpis.length).toBeGreaterThan(0);
    for (const k of result.kpis) expect(['pass', 'fail']).toContain(k.verdict);
  }, 600_000);

  it('refuses, with JSON-RPC errors and reasons, and changes nothing', async () => {
    const refused = async (name: string, args: Record<string, unknown>, reason: RegExp) => {
      const outcome = await client.callTool({ name, arguments: args }).then(
        (r) => (r.isError ? textOf(r) : `answered: ${textOf(r)}`),
        (err: Error) => err.message,
      );
      expect(outcome, `${name} ${JSON.stringify(args)}`).toMatch(reason);
    };
    await refused('drop_database', {}, /drop_database.*not found/i);
    await refused('logs', { service: 'postgres', lines: 'many' }, /invalid|expected number/i);
    await refused('read_data', { as: 'alice@test.com', path: '/../api/stack' }, /stays under \/data|leaves \/data/);
    await refused('read_data', { as: 'alice@test.com', path: 'http://127.0.0.1:1/x' }, /must start with one "\/"/);
    await refused('read_data', { as: 'alice@test.com', path: '/products', method: 'DELETE' }, /only reads/);
    await refused('read_data', { as: 'nobody@test.com', path: '/products' }, /no user nobody@test.com/);
    await refused('apply_migration', { name: 'x', sql: 'select 1' }, /built-in demo/);
    await refused('apply_migration', { name: 'Bad Name', sql: 'select 1' }, /invalid|pattern|match/i);
    // Still there: nothing was dropped or written.
    const rows = await readAs('alice@test.com', '/products?select=name');
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses to run for a home where apprun does not run, saying so', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-mcp-'));
    const res = await apprun(['mcp', '--home', home]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/apprun is not running \(home: .*\); start it with `apprun up`/);
  });
});
