// The thread that compiles a project's functions (function-compiler.ts), one request at a time.
import { parentPort } from 'node:worker_threads';
import { type CompileRequest, compileFunction } from './function-compiler.js';

parentPort!.on('message', async (req: CompileRequest) => {
  try {
    parentPort!.postMessage(await compileFunction(req));
  } catch (err) {
    parentPort!.postMessage({ ok: false, message: (err as Error).message });
  }
});
