// The thread that prepares uploaded modules (prepare-module.ts: checks, binaryen instrumentation, memory cap), so a large or
// hostile module costs this thread, not the gateway's event loop. binaryen is loaded here only; the pool's threads
// and the gateway never load it.
import { parentPort } from 'node:worker_threads';
import { ModuleRejected, prepareModule } from './prepare-module.js';

export interface PrepareRequest {
  id: number;
  bytes: Uint8Array<ArrayBuffer>;
  maxMemoryPages: number;
  network: boolean;
}

export type PrepareReply =
  | { id: number; ok: true; bytes: Uint8Array<ArrayBuffer>; prepareMs: number }
  | { id: number; ok: false; rejected: boolean; message: string };

parentPort!.on('message', (req: PrepareRequest) => {
  try {
    const prepared = prepareModule(req.bytes, req.maxMemoryPages, { network: req.network });
    const reply: PrepareReply = { id: req.id, ok: true, bytes: prepared.bytes, prepareMs: prepared.prepareMs };
    parentPort!.postMessage(reply, [prepared.bytes.buffer]);
  } catch (err) {
    const reply: PrepareReply = {
      id: req.id,
      ok: false,
      rejected: err instanceof ModuleRejected,
      message: (err as Error).message,
    };
    parentPort!.postMessage(reply);
  }
});
