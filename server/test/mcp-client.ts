import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { BIN } from './cli.js';

/** Starts `apprun mcp` for a home and connects the SDK's client to it, as a coding agent would. */
export async function mcpClient(home: string): Promise<Client> {
  const client = new Client({ name: 'apprun-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--home', home], stderr: 'ignore' }),
  );
  return client;
}

/** A tool result's text. */
export const textOf = (result: Awaited<ReturnType<Client['callTool']>>) =>
  (result.content as { type: string; text: string }[]).map((c) => c.text).join('\n');
