import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { containerName, DockerDriver, HOME_LABEL } from '../../stack/docker/docker-driver.js';
import { connectEngine } from '../../stack/docker/engine.js';
import type { ProcessExit } from '../../stack/driver.js';
import { AppHome } from '../../stack/home.js';
import { portMap } from '../../stack/ports.js';
import type { StackSecrets } from '../../stack/secrets.js';
import { MEMORY_BUDGET_MB, SERVICES } from '../../stack/services/index.js';
import { minio } from '../../stack/services/minio.js';
import { serviceSpec } from '../../stack/stack.js';
import { adminApi, type StackView } from '../api/contract.js';
import { startApprun, stopStartedApprun } from './apprun-process.js';
import { apprun, processesMentioning } from './cli.js';
import { call, login } from './http.js';
import { TEST_PORT_BASES } from './port-bases.js';
import { until } from './until.js';

// The whole stack on the Docker driver, against the real engine: containers, limits, healing, the reaper. Without
// an engine these skip, and APPRUN_STRICT=1 turns that skip into a failure.

const engine = await connectEngine();
const MiB = 2 ** 20;
const PORT_BASE = TEST_PORT_BASES.docker;
const homes: string[] = [];

async function newHome(): Promise<string> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-docker-'));
  await fs.chmod(home, 0o755);
  homes.push(home);
  return home;
}

const containersOf = async (home: string) =>
  engine.docker!.listContainers({ all: true, filters: { label: [`${HOME_LABEL}=${home}`] } });

afterEach(() => stopStartedApprun());
afterAll(async () => {
  for (const home of homes) {
    for (const c of engine.docker ? await containersOf(home) : [])
      await engine.docker!.getContainer(c.Id).remove({ force: true });
    await fs.rm(home, { recursive: true, force: true });
  }
});

describe.skipIf(!engine.docker)(
  `the Docker driver (${engine.docker ? `Docker ${engine.version}` : 'no engine'})`,
  () => {
    it('runs all five in containers within their budget shares, serves the API, heals a killed one, leaves nothing at down', async () => {
      const home = await newHome();
      const run = await startApprun(home, PORT_BASE, ['--driver', 'docker']);
      const api = adminApi(run.state);
      const stack: StackView = await api.stack();
      expect(stack.driver).toBe('docker');
      expect(stack.services.map((s) => [s.name, s.state])).toEqual(
        ['postgres', 'postgrest', 'kratos', 'temporal', 'minio'].map((n) => [n, 'healthy']),
      );
      for (const service of ['postgres', 'postgrest', 'kratos', 'temporal', 'minio'] as const) {
        const info = await engine.docker!.getContainer(containerName(new AppHome(home), service)).inspect();
        expect(info.State.Running, service).toBe(true);
        // Reserved at its share; the hard limit, page cache included, at twice it; no swap.
        expect(info.HostConfig.MemoryReservation, service).toBe(MEMORY_BUDGET_MB[service] * MiB);
        expect(info.HostConfig.Memory, service).toBe(2 * MEMORY_BUDGET_MB[service] * MiB);
        expect(info.HostConfig.MemorySwap, service).toBe(2 * MEMORY_BUDGET_MB[service] * MiB);
        expect(info.HostConfig.NetworkMode, service).toBe('host');
        expect(info.Config.Labels[HOME_LABEL]).toBe(home);
        // No registry answers here: the official image's pull fails and the local build stands in, saying so.
        expect(info.Config.Image, service).toMatch(new RegExp(`^apprun-local/${service}:`));
        expect(run.output()).toContain(`cannot pull ${SERVICES.find((s) => s.name === service)!.image.image} (`);
      }

      // Auth through Kratos and the data API through PostgREST, both in containers.
      const gateway = run.state.gatewayUrl;
      const token = (await login(gateway, 'alice@test.com')).json.access_token;
      const products = await call('GET', `${gateway}/data/products?select=name`, { token });
      expect(products.status).toBe(200);
      expect(products.json.length).toBeGreaterThan(0);

      // Memory comes from the engine's stats.
      await until('stats of every container', async () => {
        const s = await api.stack();
        return s.services.every((x) => (x.usage?.memoryBytes ?? 0) > 0) ? s : undefined;
      });

      // docker kill: the engine's event reaches the supervisor, which restarts it with the reason shown.
      const before = stack.services.find((s) => s.name === 'postgrest')!;
      await engine.docker!.getContainer(containerName(new AppHome(home), 'postgrest')).kill();
      const healed = await until('postgrest healed', async () => {
        const s = (await api.stack()).services.find((x) => x.name === 'postgrest')!;
        return s.state === 'healthy' && s.restarts === before.restarts + 1 ? s : undefined;
      });
      expect(healed.lastExit?.reason).toMatch(/SIGKILL/);
      expect((await call('GET', `${gateway}/data/products?select=name`, { token })).status).toBe(200);

      // A snapshot on the Docker driver: the containers are paused for the copy (not restarted), and a restore
      // brings the saved rows back in new containers.
      const restartsBefore = (await api.stack()).services.map((s) => s.restarts);
      const snap = await api.saveSnapshot('docker-checkpoint');
      expect(snap.contents).toContain('postgres data');
      expect((await api.stack()).services.map((s) => s.restarts)).toEqual(restartsBefore);
      const rowsBefore = (await call('GET', `${gateway}/data/products?select=name&order=id`, { token })).json;
      const added = await call('POST', `${gateway}/data/products`, {
        token,
        body: { name: 'after-the-snapshot', price: 1 },
      });
      expect(added.status).toBe(201);
      await api.restoreSnapshot('docker-checkpoint');
      expect((await api.stack()).services.every((s) => s.state === 'healthy')).toBe(true);
      const token2 = (await login(gateway, 'alice@test.com')).json.access_token;
      expect((await call('GET', `${gateway}/data/products?select=name&order=id`, { token: token2 })).json).toEqual(
        rowsBefore,
      );

      // A second home on another port base runs beside the first, in containers of its own; its Settings override
      // two images: one the engine holds (used as is), one no registry serves (the local build stands in).
      const other = await newHome();
      const minioImage = (await engine.docker!.getContainer(containerName(new AppHome(home), 'minio')).inspect()).Image;
      await engine.docker!.getImage(minioImage).tag({ repo: 'apprun-test/minio', tag: 'override' });
      await fs.writeFile(
        path.join(other, 'settings.json'),
        JSON.stringify({ images: { minio: 'apprun-test/minio:override', postgrest: 'apprun-test/postgrest:absent' } }),
      );
      const second = await startApprun(other, PORT_BASE + 100, ['--driver', 'docker']);
      const secondStack = await adminApi(second.state).stack();
      expect(secondStack.services.every((x) => x.state === 'healthy')).toBe(true);
      expect(secondStack.services.find((s) => s.name === 'minio')!.container?.image).toBe('apprun-test/minio:override');
      expect(secondStack.services.find((s) => s.name === 'postgrest')!.container?.image).toMatch(/^apprun-local\//);
      expect(second.output()).toContain('cannot pull apprun-test/postgrest:absent (');
      await engine.docker!.getImage('apprun-test/minio:override').remove();
      expect((await containersOf(other)).length).toBe(5);
      expect((await containersOf(home)).length).toBe(5);
      await second.stop();
      expect((await containersOf(other)).length).toBe(0);

      // down: no container of the home is left.
      expect((await apprun(['down', '--home', home])).code).toBe(0);
      await until(
        'no containers after down',
        async () => ((await containersOf(home)).length === 0 ? true : undefined),
        30_000,
      );
    }, 240_000);

    it('refuses a bad image name in Settings before anything starts', async () => {
      const home = await newHome();
      await fs.writeFile(path.join(home, 'settings.json'), JSON.stringify({ images: { kratos: 'Kratos::v1' } }));
      const res = await apprun(['up', '--driver', 'docker', '--home', home, '--port-base', String(PORT_BASE)]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain('the image set for kratos ("Kratos::v1") is not an image reference');
      expect(res.stderr).not.toMatch(/\n\s+at /); // a reason, not a stack trace
      expect(await containersOf(home)).toEqual([]);
      expect(processesMentioning(home)).toEqual([]);
      await expect(fs.stat(path.join(home, 'data', 'postgres'))).rejects.toThrow(); // nothing initialised
    }, 60_000);

    it('fails fast, naming port and service, when a port is taken, and starts no container', async () => {
      const home = await newHome();
      const holder = net.createServer();
      await new Promise<void>((resolve, reject) => {
        holder.once('error', reject);
        holder.listen(PORT_BASE + 2, '127.0.0.1', () => resolve());
      });
      try {
        const res = await apprun(['up', '--driver', 'docker', '--home', home, '--port-base', String(PORT_BASE)]);
        expect(res.code).toBe(1);
        expect(res.stderr).toContain(`port ${PORT_BASE + 2} (postgrest) is already in use`);
      } finally {
        await new Promise((r) => holder.close(r));
      }
      expect(await containersOf(home)).toEqual([]);
    }, 60_000);

    it('reports an out-of-memory kill as such when a service outgrows its limit', async () => {
      const home = new AppHome(await newHome());
      await home.ensure();
      const driver = new DockerDriver(home, engine.docker!);
      const secrets = { minioRootUser: 'oomtest', minioRootPassword: 'oomtest-password' } as StackSecrets;
      // MinIO needs far more than 16 MiB (twice an 8 MiB share) to start: the kernel kills it inside its container's limit.
      const spec = {
        ...(await serviceSpec(minio, { home, ports: portMap(PORT_BASE + 50), secrets, jwks: '', progress: () => {} })),
        memoryBudgetMb: 8,
      };
      await spec.prepare!(
        () => undefined,
        () => undefined,
      );
      const exit = new Promise<ProcessExit>((resolve) =>
        driver.once('exit', (_name: string, e: ProcessExit) => resolve(e)),
      );
      try {
        await driver.start(spec);
        const e = await exit;
        expect(e.reason).toMatch(/OOM killer \(out of memory: over its 16 MB limit, twice its 8 MB share\)/);
        expect(driver.status('minio').running).toBe(false);
      } finally {
        await driver.stop('minio', 1000);
        driver.closeLogs();
      }
    }, 120_000);

    it('leaves no container behind when the core is killed with -9 (the reaper removes them)', async () => {
      const home = await newHome();
      const run = await startApprun(home, PORT_BASE, ['--driver', 'docker']);
      expect((await containersOf(home)).length).toBe(5);
      run.child.kill('SIGKILL');
      await until(
        'the reaper removed every container',
        async () => ((await containersOf(home)).length === 0 ? true : undefined),
        10_000,
      );
    }, 180_000);
  },
);
