// A project's functions: apprun/functions/*.ts, AssemblyScript against apprun's SDK (`import … from 'apprun'`), built
// to WebAssembly with the compiler and flags of the examples, on a thread of its own. A module is kept in the binary
// cache by the checksum of its source and the SDK, so a fresh home (or the next machine start) does not compile it
// again. A build error comes back with its file and line.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { resolveCacheDir } from '../../stack/home.js';
import { packageRoot } from '../../stack/package-root.js';
import { entryPoint } from '../entry-points.js';
import type { CompileRequest, CompileResult } from './function-compiler.js';

const SDK_FILE = () => path.join(packageRoot(), 'wasm', 'sdk', 'apprun.ts');
const FUNCTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** A compile that takes longer is stuck: the thread is ended and the build refused. */
const COMPILE_TIMEOUT_MS = 60_000;

export interface FunctionSource {
  name: string;
  file: string;
  /** Of the source and the SDK: unchanged means the module need not be built again. */
  checksum: string;
}

export class FunctionBuildError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** The function files of a folder; a file whose name cannot be a function's is an error naming it. */
export async function functionSources(dir: string): Promise<FunctionSource[]> {
  const files = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.ts')).sort();
  const sdk = await fs.readFile(SDK_FILE());
  return Promise.all(
    files.map(async (f) => {
      const name = f.slice(0, -3);
      if (!FUNCTION_NAME.test(name))
        throw new FunctionBuildError(
          `functions/${f}: a function's file name is its name: lowercase letters, digits and dashes, starting with a ` +
            'letter (at most 63)',
          `functions/${f}`,
        );
      const file = path.join(dir, f);
      const checksum = createHash('sha256')
        .update(await fs.readFile(file))
        .update(sdk)
        .digest('hex');
      return { name, file, checksum };
    }),
  );
}

function compileOnThread(req: CompileRequest): Promise<CompileResult> {
  const worker = new Worker(
    entryPoint('function-compiler-worker', new URL('./function-compiler-worker.ts', import.meta.url)),
    { name: 'apprun-compile' },
  );
  return new Promise<CompileResult>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the compiler ran over ${COMPILE_TIMEOUT_MS / 1000} s`)),
      COMPILE_TIMEOUT_MS,
    );
    worker.once('message', (result: CompileResult) => {
      clearTimeout(timer);
      resolve(result);
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    worker.postMessage(req);
  }).finally(() => void worker.terminate());
}

/** Where built modules (and, by the functions' service, their prepared form) are kept: the binary cache. */
export const functionBuildCache = () => path.join(resolveCacheDir(), 'function-builds');

/** One function's module: from the build cache, else compiled (and cached). */
export async function buildFunction(source: FunctionSource, projectDir: string): Promise<Uint8Array<ArrayBuffer>> {
  const cached = path.join(functionBuildCache(), `${source.checksum}.wasm`);
  const hit = await fs.readFile(cached).catch(() => undefined);
  if (hit) return new Uint8Array(hit);
  const relative = path.relative(projectDir, source.file);
  let result: CompileResult;
  try {
    result = await compileOnThread({ file: relative, baseDir: projectDir, sdk: await fs.readFile(SDK_FILE(), 'utf8') });
  } catch (err) {
    throw new FunctionBuildError(`${relative} could not be built: ${(err as Error).message}`, relative);
  }
  if (!result.ok) {
    const at = /in (\S+?)\((\d+),\d+\)/.exec(result.message);
    throw new FunctionBuildError(
      `${relative} does not build:\n${result.message}`,
      at?.[1] ?? relative,
      at ? Number(at[2]) : undefined,
    );
  }
  await fs.mkdir(path.dirname(cached), { recursive: true });
  await fs.writeFile(`${cached}.${process.pid}`, result.binary);
  await fs.rename(`${cached}.${process.pid}`, cached);
  return new Uint8Array(result.binary);
}
