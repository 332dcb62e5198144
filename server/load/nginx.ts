// nginx in front of the same PostgREST, the reference for the gateway hop (DESIGN.md) in the KPI suites and benches: one worker,
// upstream keepalive, /data/<x> → PostgREST's /<x>; optionally limit_req per bearer token (its per-consumer limit).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningNginx {
  url: string;
  stop(): Promise<void>;
}

export function nginxBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(candidate)) return candidate;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Starts nginx on 127.0.0.1:port in front of PostgREST on 127.0.0.1:postgrestPort; resolves once it answers. */
export async function startNginx(
  port: number,
  postgrestPort: number,
  opts: { limitPerTokenRps?: number } = {},
): Promise<RunningNginx> {
  const binary = nginxBinary();
  if (!binary) throw new Error('nginx is not installed (apt-get install nginx-light): the reference rows need it');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-nginx-'));
  for (const sub of ['logs', 'tmp']) fs.mkdirSync(path.join(dir, sub));
  const limit = opts.limitPerTokenRps
    ? [`limit_req_zone $http_authorization zone=tenants:1m rate=${opts.limitPerTokenRps}r/s;`, 'limit_req_status 429;']
    : [];
  const conf = [
    'worker_processes 1;',
    'error_log logs/error.log warn;',
    `pid ${path.join(dir, 'nginx.pid')};`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${path.join(dir, 'tmp')};`,
    ...limit.map((l) => `  ${l}`),
    `  upstream postgrest { server 127.0.0.1:${postgrestPort}; keepalive 64; }`,
    `  server {`,
    `    listen 127.0.0.1:${port};`,
    '    location /data/ {',
    ...(opts.limitPerTokenRps ? ['      limit_req zone=tenants burst=100 nodelay;'] : []),
    '      proxy_pass http://postgrest/;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '    }',
    '  }',
    '}',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', 'nginx.conf', '-g', 'daemon off;'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}/data/`).then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}); see ${dir}/logs/error.log`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
