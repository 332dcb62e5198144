// The AssemblyScript compiler run on one project function, in memory. It runs on a thread of its own
// (function-compiler-worker.ts): the compiler is ~100 MB of the process while it works, and the core gives that back
// when the thread ends.
import fs from 'node:fs/promises';
import path from 'node:path';

/** Where AssemblyScript looks for a package named apprun: node_modules/apprun/index.ts, from the base folder up. */
const SDK_IMPORT = /(^|[\\/])node_modules[\\/]apprun[\\/]index\.ts$/;

export interface CompileRequest {
  /** The function's file, relative to baseDir. */
  file: string;
  /** The project's apprun/ folder. */
  baseDir: string;
  /** What `import … from 'apprun'` means: the SDK's source. */
  sdk: string;
}

export type CompileResult = { ok: true; binary: Uint8Array } | { ok: false; message: string };

/**
 * Compiles with the flags of the examples' build. AssemblyScript reports an error as `ERROR TS…: message`, the source
 * line and `in <file>(line,column)`: it comes back as the compiler wrote it.
 */
export async function compileFunction({ file, baseDir, sdk }: CompileRequest): Promise<CompileResult> {
  const { default: asc } = await import('assemblyscript/asc');
  let binary: Uint8Array | undefined;
  const stderr: string[] = [];
  const { error } = await asc.main(
    [
      file,
      '--outFile',
      'out.wasm',
      '--runtime',
      'incremental',
      '--optimizeLevel',
      '3',
      '--shrinkLevel',
      '0',
      '--noAssert',
      '--noColors',
      '--baseDir',
      baseDir,
    ],
    {
      readFile: async (filename: string, dir: string) =>
        SDK_IMPORT.test(filename) ? sdk : fs.readFile(path.resolve(dir, filename), 'utf8').catch(() => null),
      writeFile: async (_name: string, contents: Uint8Array | string) => {
        if (typeof contents !== 'string') binary = contents;
      },
      listFiles: async () => [],
      stdout: { write: () => true },
      stderr: {
        write: (chunk: string | Uint8Array) => {
          stderr.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
          return true;
        },
      },
    } as never,
  );
  if (error || !binary) return { ok: false, message: stderr.join('').trim() || (error?.message ?? 'no module') };
  return { ok: true, binary };
}
