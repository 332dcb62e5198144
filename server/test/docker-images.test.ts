import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionBinary } from '../../stack/binaries.js';
import { connectEngine } from '../../stack/docker/engine.js';
import { buildServiceImage, imageFiles, imageTag } from '../../stack/docker/image-builder.js';
import { resolveCacheDir } from '../../stack/home.js';
import { MEMORY_BUDGET_MB, SERVICES } from '../../stack/services/index.js';
import { minio } from '../../stack/services/minio.js';
import { postgresDistDir } from '../../stack/services/postgres.js';
import { apprun } from './cli.js';

// Local images from the binaries the native driver provisions, on the real engine (no registry is reachable).
// Without an engine these skip, and APPRUN_STRICT=1 turns that skip into a failure.

const engine = await connectEngine();
const LABEL = { 'apprun.test': 'docker-images' };
const MiB = 2 ** 20;

afterAll(async () => {
  if (!engine.docker) return;
  const left = await engine.docker.listContainers({ all: true, filters: { label: ['apprun.test=docker-images'] } });
  await Promise.all(left.map((c) => engine.docker.getContainer(c.Id).remove({ force: true })));
});

describe.skipIf(!engine.docker)(
  `local service images (${engine.docker ? `Docker ${engine.version}` : 'no engine'})`,
  () => {
    const docker = engine.docker!;
    const steps: string[] = [];
    const progress = (e: { step: string }) => steps.push(e.step);

    it('builds MinIO on scratch from its static binary; it runs on the host network within its memory share', async () => {
      const binary = await provisionBinary('minio', minio.binary!, resolveCacheDir());
      const recipe = { service: 'minio' as const, executable: binary };
      expect(imageFiles(recipe)).toEqual([binary]); // static: the binary alone, no library
      await docker
        .getImage(imageTag(recipe))
        .remove({ force: true })
        .catch(() => undefined); // build it afresh
      const tag = await buildServiceImage(docker, recipe, progress);
      expect(tag).toBe(imageTag(recipe));
      expect(steps.at(-1)).toBe(`built image ${tag}`);
      const port = 29_000 + Math.floor(Math.random() * 500);
      const container = await docker.createContainer({
        Image: tag,
        Cmd: [
          binary,
          'server',
          '/tmp/data',
          '--address',
          `127.0.0.1:${port}`,
          '--console-address',
          `127.0.0.1:${port + 1}`,
        ],
        Env: [
          'MINIO_ROOT_USER=imagetest',
          'MINIO_ROOT_PASSWORD=imagetest-password',
          `GOMEMLIMIT=${MEMORY_BUDGET_MB.minio - 10}MiB`,
        ],
        Labels: LABEL,
        HostConfig: {
          NetworkMode: 'host',
          Memory: MEMORY_BUDGET_MB.minio * MiB,
          MemorySwap: MEMORY_BUDGET_MB.minio * MiB,
        },
      });
      await container.start();
      let ready = false;
      for (let i = 0; i < 100 && !ready; i++) {
        ready = await fetch(`http://127.0.0.1:${port}/minio/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      expect(ready).toBe(true);
      const info = await container.inspect();
      expect(info.HostConfig.Memory).toBe(MEMORY_BUDGET_MB.minio * MiB);
      expect(info.HostConfig.NetworkMode).toBe('host');
      await container.remove({ force: true });
    }, 120_000);

    it('builds PostgreSQL with the shared libraries it loads, and it runs as the unprivileged user', async () => {
      const tree = postgresDistDir();
      const recipe = { service: 'postgres' as const, executable: path.join(tree, 'bin', 'postgres'), tree };
      const files = imageFiles(recipe);
      expect(files.some((f) => /\/libc\.so\.6$/.test(f))).toBe(true);
      expect(files.some((f) => f.startsWith(path.join(tree, 'share')))).toBe(true);
      await docker
        .getImage(imageTag(recipe))
        .remove({ force: true })
        .catch(() => undefined);
      const tag = await buildServiceImage(docker, recipe, progress);
      const container = await docker.createContainer({
        Image: tag,
        Cmd: [recipe.executable, '--version'],
        User: '65534:65534', // nobody: Postgres refuses root
        Labels: LABEL,
        HostConfig: { NetworkMode: 'host' },
      });
      await container.start();
      const { StatusCode } = await container.wait();
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8');
      expect(StatusCode, logs).toBe(0);
      expect(logs).toMatch(/postgres \(PostgreSQL\) 15\./);
      await container.remove({ force: true });
    }, 120_000);

    it('finds an image it built before instead of building it again', async () => {
      const recipe = {
        service: 'minio' as const,
        executable: await provisionBinary('minio', minio.binary!, resolveCacheDir()),
      };
      const before = steps.length;
      expect(await buildServiceImage(docker, recipe, progress)).toBe(imageTag(recipe));
      expect(steps.length).toBe(before);
    });

    it('`apprun images build` builds every local image with progress; `apprun images` says what each service runs', async () => {
      const home = await fs.mkdtemp(path.join(os.tmpdir(), 'apprun-images-'));
      await fs.chmod(home, 0o755);
      try {
        // The apprun image too (what an export's containers run: ~1.3 GB, minutes on a cold 2-core machine).
        const built = await apprun(['images', 'build', '--home', home], {}, 900_000);
        expect(built.code, built.stderr).toBe(0);
        for (const service of SERVICES)
          expect(built.stdout).toMatch(new RegExp(`${service.name}\\s+apprun-local/${service.name}:`));
        expect(built.stdout).toMatch(/apprun \(exports\)\s+apprun-local\/apprun:\w{12}/);
        await fs.writeFile(
          path.join(home, 'settings.json'),
          JSON.stringify({ images: { minio: 'example/minio:mine' } }),
        );
        const listed = await apprun(['images', '--home', home]);
        expect(listed.code, listed.stderr).toBe(0);
        expect(listed.stdout).toMatch(/postgres\s+postgres:15\.18-bookworm\s+no\s+apprun-local\/postgres:\w+\s+yes/);
        expect(listed.stdout).toMatch(/minio\s+example\/minio:mine\s+no/);
        const wrong = await apprun(['images', 'push', '--home', home]);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain('images takes no action or "build", not "push"');
      } finally {
        await fs.rm(home, { recursive: true, force: true });
      }
    }, 1_000_000);
  },
);
