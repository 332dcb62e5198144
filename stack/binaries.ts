import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import type { ProgressFn } from './spec.js';

/** How a service's binary is provisioned when no npm package ships it (declared in its service file). */
export interface BinaryRecipe {
  version: string;
  module: string;
  /** `go install` works for modules without local replace directives; Kratos needs a build from its module source. */
  build: 'go-install' | 'module-source';
  /**
   * Official release archives, by `${platform}-${arch}`; a download is used only with a pinned sha256. None are pinned
   * yet (their checksums could not be verified from this build machine), so the Go module build is used.
   */
  releases?: Record<string, { url: string; sha256: string; member: string }>;
  /**
   * The Go variable that holds the binary's version (`-X` at link time): a module build otherwise reports a
   * placeholder (Kratos says "master" and warns that its config's version differs).
   */
  versionVariable?: string;
  /** The main package's folder in the module, for a module-source build (default: its root). */
  mainPackage?: string;
}

/** The binary cache's folder of a recipe: a stamped build has a name of its own, so an unstamped one is not reused. */
export const cacheFolder = (name: string, recipe: BinaryRecipe) =>
  `${name}-${recipe.version}${recipe.versionVariable ? '-stamped' : ''}`;

export class BinaryUnavailableError extends Error {}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fs.constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Runs a command, reporting each line it prints as progress; rejects with its last lines. */
function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv },
  onLine: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 15) tail.shift();
        onLine(line);
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${tail.join('\n')}`)),
    );
  });
}

async function download(name: string, recipe: BinaryRecipe, target: string, progress: ProgressFn): Promise<boolean> {
  const release = recipe.releases?.[`${process.platform}-${process.arch}`];
  if (!release) return false;
  progress({ step: `downloading ${name} ${recipe.version}`, fraction: 0 });
  const res = await request(release.url, { maxRedirections: 5 } as never);
  if (res.statusCode !== 200) throw new Error(`download ${release.url}: HTTP ${res.statusCode}`);
  const total = Number(res.headers['content-length'] ?? 0);
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let got = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    chunks.push(chunk);
    got += chunk.length;
    if (total) progress({ step: `downloading ${name} ${recipe.version}`, fraction: got / total });
  }
  if (hash.digest('hex') !== release.sha256)
    throw new Error(`${release.url}: sha256 does not match the pinned checksum`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `apprun-${name}-`));
  try {
    const archive = path.join(tmp, 'archive.tar.gz');
    await fs.writeFile(archive, Buffer.concat(chunks));
    await run('tar', ['-xzf', archive, '-C', tmp, release.member], {}, () => undefined);
    await fs.copyFile(path.join(tmp, release.member), target);
    await fs.chmod(target, 0o755);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  return true;
}

async function goBuild(name: string, recipe: BinaryRecipe, target: string, progress: ProgressFn): Promise<void> {
  const env = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-trimpath', GOBIN: path.dirname(target) };
  let packages = 0;
  const onLine = (line: string) => {
    if (!line.startsWith('go: downloading')) packages++;
    if (packages % 25 === 0 || line.startsWith('go: downloading')) {
      progress({
        step:
          `building ${name} ${recipe.version} from the Go module (minutes on a cold cache): ` +
          `${line.startsWith('go: downloading') ? line.slice(4) : `${packages} packages compiled`}`,
      });
    }
  };
  progress({ step: `building ${name} ${recipe.version} from the Go module (minutes on a cold cache)`, fraction: 0 });
  if (recipe.build === 'go-install') {
    // GOBIN is the target's folder, and the module's last path element is the binary's name.
    await run('go', ['install', '-v', `${recipe.module}@${recipe.version}`], { env }, onLine);
    return;
  }
  // A local `replace` in the module's go.mod makes `go install` refuse it: build inside a copy of the module source.
  let dir = '';
  await run('go', ['mod', 'download', '-json', `${recipe.module}@${recipe.version}`], { env }, (line) => {
    const m = /"Dir":\s*"([^"]+)"/.exec(line);
    if (m) dir = m[1]!;
  });
  if (!dir) throw new Error(`go mod download did not report the source folder of ${recipe.module}`);
  const src = await fs.mkdtemp(path.join(os.tmpdir(), `apprun-${name}-src-`));
  try {
    await fs.cp(dir, src, { recursive: true });
    await run('chmod', ['-R', 'u+w', src], {}, () => undefined);
    const ldflags = recipe.versionVariable ? ['-ldflags', `-X ${recipe.versionVariable}=${recipe.version}`] : [];
    await run('go', ['build', '-v', ...ldflags, '-o', target, recipe.mainPackage ?? '.'], { cwd: src, env }, onLine);
  } finally {
    await fs.rm(src, { recursive: true, force: true });
  }
}

/**
 * Finds or makes a service binary: APPRUN_BIN_DIR / PATH → the binary cache → an official release with a pinned
 * sha256 → a build from the Go module when `go` is installed. The error says what was tried and what to do.
 */
export async function provisionBinary(
  name: string,
  recipe: BinaryRecipe,
  cacheDir: string,
  progress: ProgressFn = () => undefined,
): Promise<string> {
  const tried: string[] = [];
  if (process.env.APPRUN_BIN_DIR) {
    const candidate = path.join(process.env.APPRUN_BIN_DIR, name);
    if (await isExecutable(candidate)) return candidate;
    tried.push(`APPRUN_BIN_DIR (${candidate}: not found)`);
  }
  const fromPath = await onPath(name);
  if (fromPath) return fromPath;
  tried.push('PATH');

  const target = path.join(cacheDir, 'bin', cacheFolder(name, recipe), name);
  if (await isExecutable(target)) return target;
  tried.push(`the binary cache (${target})`);
  await fs.mkdir(path.dirname(target), { recursive: true });

  try {
    if (await download(name, recipe, target, progress)) return target;
    tried.push(`a release download (no pinned checksum for ${process.platform}-${process.arch})`);
  } catch (err) {
    tried.push(`a release download (${(err as Error).message})`);
  }

  if (await onPath('go')) {
    try {
      await goBuild(name, recipe, target, progress);
      if (await isExecutable(target)) {
        progress({ step: `${name} ${recipe.version} built into ${target}`, fraction: 1 });
        return target;
      }
      tried.push('a build from the Go module (no binary came out)');
    } catch (err) {
      tried.push(`a build from the Go module (${(err as Error).message.split('\n').slice(0, 4).join(' / ')})`);
    }
  } else {
    tried.push('a build from the Go module (go is not installed)');
  }
  throw new BinaryUnavailableError(
    `${name} ${recipe.version} is not available. Tried: ${tried.join('; ')}. ` +
      `Fix: install Go and run \`npm run stack:binaries\`, or put a ${name} binary in APPRUN_BIN_DIR.`,
  );
}
