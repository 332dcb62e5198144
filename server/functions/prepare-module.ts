import binaryen from 'binaryen';
import { capMemory, ModuleRejected } from './memory-cap.js';
import { checkModule } from './module-check.js';
import { instanceOverheadBytes } from './module-limits.js';
import { CHECKPOINT_IMPORT, HTTP_IMPORT } from './sandbox.js';

export { ModuleRejected };

/** The functions every module exports (the ABI of wasm/sdk/apprun.ts). */
export const ABI_EXPORTS = ['memory', 'alloc', 'dealloc', 'handle', 'output_ptr', 'output_len'] as const;
/** AssemblyScript's abort is every function's one import; no host function gives a function files. */
const ALLOWED_IMPORTS = new Set(['env.abort']);
/** Network, for functions whose manifest lists allowed_hosts (the host checks each request against that list). */
const NETWORK_IMPORT = `env.${HTTP_IMPORT}`;
/** How often, in ticks, the module calls the host's deadline checkpoint. */
const CHECKPOINT_INTERVAL = 1024;
/** The function binaryen's log-execution pass calls at every function entry and loop header. */
const TICK = 'log_execution';
// What V8 in Node 20 runs and AssemblyScript emits; newer encodings (e.g. compact imports) would not load.
const FEATURES =
  binaryen.Features.MVP |
  binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt |
  binaryen.Features.SignExt |
  binaryen.Features.MutableGlobals |
  binaryen.Features.NontrappingFPToInt;

export interface PreparedModule {
  /** The module as the runtime executes it: instrumented and with its memory capped. */
  bytes: Uint8Array<ArrayBuffer>;
  /** Milliseconds spent preparing (at upload, not at invocation). */
  prepareMs: number;
  /** What a live instance costs beyond its linear memory (tables, functions, globals, the instance itself). */
  overheadBytes: number;
}

/**
 * log-execution calls an import at every tick; a JS call per loop iteration would cost more than the function.
 * Replace that import with a function inside the module that counts down a global and calls the host only once
 * every CHECKPOINT_INTERVAL ticks (calls are by name in binaryen's IR, so every call site follows).
 */
function countTicksInside(ir: binaryen.Module): void {
  const fuel = 'apprun_fuel';
  ir.removeFunction(TICK);
  ir.addGlobal(fuel, binaryen.i32, true, ir.i32.const(CHECKPOINT_INTERVAL));
  ir.addFunctionImport('apprun_checkpoint_import', 'env', CHECKPOINT_IMPORT, binaryen.none, binaryen.none);
  const left = () => ir.global.get(fuel, binaryen.i32);
  ir.addFunction(
    TICK,
    binaryen.createType([binaryen.i32]),
    binaryen.none,
    [],
    ir.block(null, [
      ir.global.set(fuel, ir.i32.sub(left(), ir.i32.const(1))),
      ir.if(
        ir.i32.eqz(left()),
        ir.block(null, [
          ir.global.set(fuel, ir.i32.const(CHECKPOINT_INTERVAL)),
          ir.call('apprun_checkpoint_import', [], binaryen.none),
        ]),
      ),
    ]),
  );
}

/**
 * Checks an uploaded module and makes it safe to run in-process: binaryen's log-execution pass adds a call to a host
 * checkpoint at every function entry and loop header, where the runtime enforces the wall-clock deadline (an
 * infinite loop cannot escape it), and the memory gets a hard maximum.
 */
export function prepareModule(
  bytes: Uint8Array<ArrayBuffer>,
  maxMemoryPages: number,
  { network = false } = {},
): PreparedModule {
  const t0 = performance.now();
  // Limits first, in one cheap pass: nothing below (V8's compile, binaryen) sees a module they would refuse.
  const facts = checkModule(bytes);
  const overheadBytes = instanceOverheadBytes(facts);
  const startBytes = (facts.memory?.minPages ?? 0) * 65536 + overheadBytes;
  if (startBytes > maxMemoryPages * 65536) {
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    throw new ModuleRejected(
      `an instance of the module needs ${mib(startBytes)} at start (memory, tables, instance), over the function's ` +
        `memory cap of ${mib(maxMemoryPages * 65536)}`,
    );
  }
  if (!WebAssembly.validate(bytes)) throw new ModuleRejected('not a valid WebAssembly module');
  const module = new WebAssembly.Module(bytes);
  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const missing = ABI_EXPORTS.filter((name) => !exported.has(name));
  if (missing.length)
    throw new ModuleRejected(`the module does not export ${missing.join(', ')} (see wasm/sdk/apprun.ts)`);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  if (imports.includes(NETWORK_IMPORT) && !network) {
    throw new ModuleRejected(`the module imports ${NETWORK_IMPORT} (network) but its manifest lists no allowed_hosts`);
  }
  const refused = imports.filter((i) => !ALLOWED_IMPORTS.has(i) && i !== NETWORK_IMPORT);
  if (refused.length)
    throw new ModuleRejected(
      `the module imports ${refused.join(', ')}; functions get no host access besides env.abort and ${NETWORK_IMPORT}`,
    );

  const ir = binaryen.readBinary(bytes);
  try {
    ir.setFeatures(FEATURES);
    ir.runPasses(['log-execution']);
    countTicksInside(ir);
    if (!ir.validate()) throw new ModuleRejected('the module uses WebAssembly features the sandbox does not support');
    return { bytes: capMemory(ir.emitBinary(), maxMemoryPages), prepareMs: performance.now() - t0, overheadBytes };
  } finally {
    ir.dispose();
  }
}
