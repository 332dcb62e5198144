import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stopStartedApprun } from './apprun-process.js';
import { apprun } from './cli.js';
import { TEST_PORT_BASES } from './port-bases.js';
import { makeProject, startProject, type TestProject } from './project-support.js';

// What stops `apprun up` of a project before anything is served: each a clear error naming the file or object, a
// non-zero exit, nothing left running.

const PORT_BASE = TEST_PORT_BASES.projectOther;
let project: TestProject | undefined;

afterEach(async () => {
  await stopStartedApprun();
  await project?.cleanup();
  project = undefined;
}, 120_000);

const up = (p: TestProject) => apprun(['up', '--project', p.root, '--home', p.home, '--port-base', String(PORT_BASE)]);

describe('apprun up of a project refuses to start', () => {
  it('with a leaky table in a fresh home, naming it and the fix', async () => {
    project = await makeProject('leaky', {
      'migrations/20261206200000_leak.sql':
        'create table api.secrets (id int primary key, value text);\ngrant select on api.secrets to apprun_user;\n',
    });
    const res = await up(project);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/20261206200000_leak\.sql: refused: what it leaves in api is not tenant-safe/);
    expect(res.stderr).toMatch(/api\.secrets \(table\) has row-level security off/);
    expect(res.stderr).toMatch(/fix: select apprun\.tenant_table\('api\.secrets'\);/);
  }, 120_000);

  it('with a seed that breaks a constraint, naming seed.sql, its line and Postgres’ message', async () => {
    project = await makeProject('badseed', {
      'seed.sql': "-- products\n\ninsert into api.products (tenant_id, name, price) values (null, 'x', -1);\n",
    });
    const res = await up(project);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/seed\.sql:3: null value in column "tenant_id"/);
  }, 120_000);

  it('with an applied migration edited while it was down, naming the file and the fix', async () => {
    project = await makeProject('edited', { 'functions/greet.ts': null });
    const run = await startProject(project, PORT_BASE);
    await run.stop();
    const file = 'migrations/20261206000000_demo_schema.sql';
    await project.write(file, `${await fs.readFile(path.join(project.root, 'apprun', file), 'utf8')}\n-- edited\n`);
    const res = await up(project);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/20261206000000_demo_schema\.sql: was edited after it was applied/);
    expect(res.stderr).toMatch(/apprun migration new NAME[\s\S]*apprun db reset/);
  }, 180_000);

  it('in a folder that does not exist, or that is not a project', async () => {
    const missing = await apprun(['up', '--project', '/nonexistent/project', '--port-base', String(PORT_BASE)]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('apprun: the project folder /nonexistent/project does not exist\n');
    const notOne = await apprun(['status', '--project', '/tmp']);
    expect(notOne.stderr).toMatch(/\/tmp holds no apprun\/config\.toml: run `apprun init \/tmp`/);
  });

  it('init over an existing project folder changes nothing and exits non-zero', async () => {
    project = await makeProject('twice');
    const config = path.join(project.root, 'apprun', 'config.toml');
    const before = await fs.readFile(config, 'utf8');
    const res = await apprun(['init', project.root]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/exists already: apprun init never overwrites a project/);
    expect(await fs.readFile(config, 'utf8')).toBe(before);
  });
});
