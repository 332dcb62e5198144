// What an uploaded module may contain, and what its check counted: the limits of module-check.ts, which refuses by
// name what would be expensive or fail later (binaryen's cost grows with a module's functions and instructions and it
// recurses on nesting; V8 finds some faults only at instantiate time), and what a live instance costs.
export interface ModuleLimits {
  maxTypes: number;
  /** Imports are functions only (env.abort, env.apprun_http: the sandbox gives nothing else). */
  maxImports: number;
  /** Defined and imported. */
  maxFunctions: number;
  maxCodeSectionBytes: number;
  maxBodyBytes: number;
  /** Declared locals of one body, each declaration's count expanded. */
  maxLocals: number;
  /** Instructions in all bodies (a br_table target counts as one). */
  maxInstructions: number;
  /** Block, loop and if nesting in one body. */
  maxBlockDepth: number;
  /** Depth of the expression tree binaryen builds from one body. */
  maxExpressionDepth: number;
  maxGlobals: number;
  maxTables: number;
  /** A table's declared minimum, and its maximum when it declares one. */
  maxTableEntries: number;
  maxExports: number;
  maxElementSegments: number;
  maxElementEntries: number;
  maxDataSegments: number;
  maxDataBytes: number;
  maxCustomSections: number;
  maxCustomSectionBytes: number;
}

/**
 * Defaults for a dev appliance: every example in wasm/ uses a small fraction of each (see module-check.test.ts for their
 * facts: at most 41 functions, 6,615 instructions, 14 blocks and 28 expressions deep), and toolchain output for one
 * function (AssemblyScript, Rust, TinyGo) fits comfortably. Costs were measured with binaryen 132 on this machine.
 */
export const MODULE_LIMITS: Readonly<ModuleLimits> = Object.freeze({
  // AssemblyScript emits one type per signature (a dozen here); big Rust programs a few hundred.
  maxTypes: 1_000,
  // The sandbox allows two imports; this only bounds the work of listing the rest in a rejection.
  maxImports: 100,
  // Binaryen preparation: ~0.5 s and ~75 MB transient at 10,000 tiny functions; 100,000 took 1.7 s.
  maxFunctions: 10_000,
  // The upload is 5 MiB; code past 4 MiB would leave no room for anything else. The instruction cap binds first.
  maxCodeSectionBytes: 4 * 1024 * 1024,
  // Far over any hand-written function; V8's own cap is 7.6 MB, and one body is one binaryen thread's work.
  maxBodyBytes: 512 * 1024,
  // V8's own per-function limit (params included there); a declaration count of 2^32-1 is refused, not summed.
  maxLocals: 50_000,
  // Binaryen preparation: ~1 s at 500,000 instructions, ~1.4 s at 1M (a synchronous stall of the gateway).
  maxInstructions: 500_000,
  // Binaryen overflowed its stack at 10,000 nested blocks and at a 3,000-deep expression tree (2,000 passed) from a
  // shallow JS stack; a 1,500-deep tree still passed with 6,000 JS frames already on the stack, where a gateway
  // request uses well under 1,000.
  maxBlockDepth: 1_000,
  maxExpressionDepth: 1_500,
  // AssemblyScript uses a handful (its stack pointer, heap state); each costs an instance little.
  maxGlobals: 1_000,
  // Without reference types (prepare-module.ts FEATURES) a module has at most one table.
  maxTables: 1,
  // Indirect-call targets, ~27 bytes each per instance (measured, see below): ~270 KB at the cap, where 10M entries
  // added ~270 MB to an instance outside its memory cap. A table without a maximum is admitted: the sandbox refuses
  // table.grow (a
  // reference-types instruction) and the host never grows tables, so a table stays at its declared minimum.
  maxTableEntries: 10_000,
  // The ABI needs six; toolchains export a few more (__data_end, start helpers).
  maxExports: 1_000,
  maxElementSegments: 100,
  // At most the table's size anyway (segments must fit in it); the cap bounds passive segments too.
  maxElementEntries: 10_000,
  // V8 copies active segments into memory at every instantiation; AssemblyScript emits one per static string.
  maxDataSegments: 1_000,
  // Under the 5 MiB upload, leaving room for code; active data must also fit the initial memory (checked below).
  maxDataBytes: 4 * 1024 * 1024,
  // name, producers, target_features, sourceMappingURL: a module rarely has more than a few.
  maxCustomSections: 32,
  // The name section of a 10,000-function module is ~200 KB; a DWARF debug build should be stripped
  // (wasm-opt --strip-debug) before deploy: binaryen copies every custom section into the prepared module.
  maxCustomSectionBytes: 1024 * 1024,
});

export interface ModuleFacts {
  types: number;
  imports: number;
  importedFunctions: number;
  /** Defined and imported. */
  functions: number;
  bodies: number;
  codeBytes: number;
  maxBodyBytes: number;
  /** The most declared locals in one body. */
  maxLocals: number;
  instructions: number;
  maxBlockDepth: number;
  maxExpressionDepth: number;
  globals: number;
  tables: { min: number; max: number | null }[];
  memory: { minPages: number; maxPages: number | null } | null;
  exports: number;
  hasStart: boolean;
  elementSegments: number;
  elementEntries: number;
  dataSegments: number;
  dataBytes: number;
  customSections: number;
  customSectionBytes: number;
}

/**
 * What a live instance costs beyond its linear memory, for accounting against the function's memory cap and a cache
 * budget: V8's fixed cost of an instance, its table (tables never grow here, see maxTableEntries), its functions and
 * globals. The compiled code is the module's, shared by its instances, and not counted here.
 */
export function instanceOverheadBytes(facts: ModuleFacts): number {
  const tableEntries = facts.tables.reduce((sum, table) => sum + table.min, 0);
  return (
    INSTANCE_BASE_BYTES +
    tableEntries * TABLE_ENTRY_BYTES +
    facts.functions * FUNCTION_BYTES +
    facts.globals * GLOBAL_BYTES
  );
}

// Measured on Node 20.20 (V8 11.3) by keeping N live instances and comparing process.memoryUsage() after a gc:
// hello.wasm, prepared, one handle() call each, N = 5,000: +3.2 KB V8 heap and +15 KB RSS per instance, the RSS
// including the linear-memory pages the call touched; a table of 10,000 entries: +160 KB heap, +266 KB RSS (V8's
// dispatch table, ~27 bytes an entry, which is how 10M entries cost ~270 MB); 10,000 functions: +81 KB (8 bytes each);
// 1,000 i32 globals: +4 KB. Each figure is rounded up.
const INSTANCE_BASE_BYTES = 16 * 1024;
const TABLE_ENTRY_BYTES = 32;
const FUNCTION_BYTES = 8;
const GLOBAL_BYTES = 8;
