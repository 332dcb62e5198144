import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AppHome } from '../../stack/home.js';
import { portMap } from '../../stack/ports.js';
import { provisionTool } from '../../stack/tools.js';
import { openProject } from '../project/project.js';
import { serviceSpecs } from '../replica/service-specs.js';
import { composeModel, composeYaml } from './compose-export.js';
import { comparable, driftRows } from './versions.js';

// The Compose file's shape (brought up for real in server/test/compose-export.test.ts, on the host network): the
// default private network is checked here by docker compose itself, since this engine has no bridge to run it on.

const model = async (network: 'host' | 'private') => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'apprun-compose-'));
  const specs = await serviceSpecs(
    new AppHome(path.join(root, 'home')),
    openProject(undefined, root),
    28800,
    () => undefined,
  );
  return {
    root,
    model: composeModel({
      specs,
      image: 'apprun-local/apprun:0123456789ab',
      portBase: 28800,
      network,
      projectName: 'apprun-demo',
      cli: '/opt/apprun/bin/apprun.mjs',
    }),
  };
};

describe('the Compose model', () => {
  it('private (the default): one shared network namespace, and only the gateway published, on 127.0.0.1 unless told', async () => {
    const { model: m } = await model('private');
    const services = m.services as Record<string, Record<string, unknown>>;
    const published = Object.entries(services).filter(([, s]) => s.ports);
    expect(published.map(([name, s]) => [name, s.ports])).toEqual([
      ['network', [`\${APPRUN_PUBLISH_ADDRESS:-127.0.0.1}:${portMap(28800).gateway}:${portMap(28800).gateway}`]],
    ]);
    for (const [name, s] of Object.entries(services))
      if (name !== 'network') expect(s.network_mode, name).toBe('service:network');
    expect((services.gateway!.command as string[]).slice(-2)).toEqual(['--host', '0.0.0.0']);
  });

  it('passes docker compose config, with healthchecks and depends_on on health, and no secret in the file', async () => {
    const compose = await provisionTool('docker-compose');
    for (const network of ['private', 'host'] as const) {
      const { root, model: m } = await model(network);
      fs.writeFileSync(path.join(root, 'compose.yaml'), composeYaml(m, ['test']));
      fs.writeFileSync(path.join(root, 'secrets.env'), "APPRUN_ADMIN_TOKEN='x'\n", { mode: 0o600 });
      fs.mkdirSync(path.join(root, 'project'));
      const { stdout } = await promisify(execFile)(compose, ['config'], { cwd: root });
      const config = parse(stdout) as {
        services: Record<string, { healthcheck?: unknown; depends_on?: Record<string, { condition: string }> }>;
      };
      for (const [name, s] of Object.entries(config.services))
        if (name !== 'network') expect(s.healthcheck, `${network}: ${name}`).toBeDefined();
      expect(config.services.gateway!.depends_on!.postgres!.condition).toBe('service_healthy');
      expect(config.services.postgrest!.depends_on!.postgres!.condition).toBe('service_healthy');
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('version drift', () => {
  it('compares what versions mean: a tag, a beta, a release date', () => {
    expect(comparable('15.18.0-beta.17')).toBe(comparable('15.18'));
    expect(comparable('v12.0.2-2')).toBe(comparable('v12.0.2'));
    expect(comparable('v0.0.0-20260212201848-7aac2a2c5b7c')).toBe('2026-02-12');
    expect(comparable('RELEASE.2025-09-07T16-13-09Z')).toBe('2025-09-07');
    const rows = driftRows(
      {
        postgres: '15.18.0',
        postgrest: 'v12.0.2',
        kratos: 'v1.3.1',
        temporal: '1.29.1',
        minio: 'v0.0.0-20260212201848-7aac2a2c5b7c',
        gateway: '0.1.0',
      },
      {
        postgres: '15.18',
        postgrest: 'v12.0.2',
        kratos: 'v1.3.1',
        temporal: '1.29.1',
        minio: 'RELEASE.2025-09-07T16-13-09Z',
        gateway: '0.1.0',
      },
    );
    expect(rows.filter((r) => r.differs).map((r) => r.service)).toEqual(['minio']);
  });
});
