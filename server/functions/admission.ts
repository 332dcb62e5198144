// The admission check: one linear pass over an uploaded module's binary format that refuses, by name, what would be
// expensive or fail later. Not wired in yet: it is to be called at deploy (and when a stored module is loaded again),
// first thing in FunctionService's prepare step, before binaryen preparation (prepareModule) and any V8 compile:
// binaryen's cost grows with the module's functions and instructions (1M tiny functions stalled the gateway ~10 s and
// grew the process ~530 MB for good, since binaryen.js's heap never shrinks), it recurses on nesting (a deep body
// overflowed its stack), and V8 only finds some faults at instantiate time (a data segment outside memory), which
// reached users as 500s. Everything here throws ModuleRejected, never another error; the checks V8's validator makes
// anyway (operand types, most index bounds) are left to it.
import { ModuleRejected } from './memory-cap.js';
import { CodeWalker, checkValueType, type FunctionType, unsupported } from './wasm-code.js';
import { hex, WasmReader } from './wasm-reader.js';
import {
  checkNameSubsections,
  constant,
  limitsOf,
  plural,
  readDataSegment,
  readElementSegment,
} from './wasm-sections.js';

export { ModuleRejected };

export interface AdmissionLimits {
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
 * Defaults for a dev appliance: every example in wasm/ uses a small fraction of each (see admission.test.ts for their
 * facts: at most 41 functions, 6,615 instructions, 14 blocks and 28 expressions deep), and toolchain output for one
 * function (AssemblyScript, Rust, TinyGo) fits comfortably. Costs were measured with binaryen 132 on this machine.
 */
export const ADMISSION_LIMITS: Readonly<AdmissionLimits> = Object.freeze({
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
  // Without reference types (prepare.ts FEATURES) a module has at most one table.
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

const MAX_PAGES = 65536; // wasm32: 4 GiB

const SECTION_NAMES = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'data count',
];
/** Each non-custom section's place in the order the spec requires (data count sits between element and code). */
const SECTION_RANK = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10];
const TAG_SECTION = 13;
const IMPORT_KINDS = ['function', 'table', 'memory', 'global'];

function atMost(found: string, limit: number): ModuleRejected {
  return new ModuleRejected(`${found}; at most ${limit} ${limit === 1 ? 'is' : 'are'} allowed`);
}

/**
 * Checks a module against the limits and returns what it counted; throws ModuleRejected naming the limit and the
 * value found, or what is malformed. walkCode: false skips the instructions (no depths or instruction count), for
 * the facts of a module admitted before. Linear in the module's size: every loop consumes bytes, and counts are checked
 * against the limits as soon as they are read.
 */
export function checkAdmission(
  bytes: Uint8Array,
  limits: AdmissionLimits = ADMISSION_LIMITS,
  { walkCode = true } = {},
): ModuleFacts {
  if (bytes.length < 8)
    throw new ModuleRejected(`not a WebAssembly module: ${bytes.length} bytes, shorter than the 8-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw new ModuleRejected('not a WebAssembly module (no \\0asm magic)');
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version !== 1)
    throw new ModuleRejected(`WebAssembly binary version ${version >>> 0}; only version 1 modules are supported`);

  const facts: ModuleFacts = {
    types: 0,
    imports: 0,
    importedFunctions: 0,
    functions: 0,
    bodies: 0,
    codeBytes: 0,
    maxBodyBytes: 0,
    maxLocals: 0,
    instructions: 0,
    maxBlockDepth: 0,
    maxExpressionDepth: 0,
    globals: 0,
    tables: [],
    memory: null,
    exports: 0,
    hasStart: false,
    elementSegments: 0,
    elementEntries: 0,
    dataSegments: 0,
    dataBytes: 0,
    customSections: 0,
    customSectionBytes: 0,
  };
  const types: FunctionType[] = [];
  const functionTypes: number[] = [];
  let definedFunctions = 0;
  let dataCount: number | null = null;
  let lastRank = 0;
  let lastName = 'header';
  const reader = new WasmReader(bytes);
  reader.pos = 8;

  const typeIndex = (what: string) => {
    const index = reader.u32(what);
    if (index >= types.length)
      throw new ModuleRejected(`${what} is type ${index}, but the module defines ${plural(types.length, 'type')}`);
    return index;
  };
  const checkFunctionCount = () => {
    const total = facts.importedFunctions + definedFunctions;
    if (total <= limits.maxFunctions) return;
    const found = facts.importedFunctions
      ? `the module defines ${definedFunctions} functions and imports ${facts.importedFunctions}`
      : `the module defines ${total} functions`;
    throw atMost(found, limits.maxFunctions);
  };

  while (!reader.atEnd()) {
    const at = reader.pos;
    const id = reader.u8('a section id');
    if (id === TAG_SECTION) throw unsupported('a tag section', 'exception handling');
    const name = SECTION_NAMES[id];
    if (name === undefined) throw new ModuleRejected(`unknown section id ${id} at byte ${at}`);
    if (id !== 0) {
      const rank = SECTION_RANK[id]!;
      if (rank <= lastRank)
        throw new ModuleRejected(
          `the ${name} section at byte ${at} comes after the ${lastName} section: sections must appear once each, ` +
            `in order`,
        );
      [lastRank, lastName] = [rank, name];
    }
    const size = reader.u32(`the size of the ${name} section`);
    if (id === 10 && size > limits.maxCodeSectionBytes)
      throw new ModuleRejected(`the code section is ${size} bytes; at most ${limits.maxCodeSectionBytes} are allowed`);
    const end = reader.enter(size, `the ${name} section`);

    switch (id) {
      case 0: {
        facts.customSections++;
        facts.customSectionBytes += size;
        if (facts.customSections > limits.maxCustomSections)
          throw atMost(`the module has ${facts.customSections} custom sections`, limits.maxCustomSections);
        if (facts.customSectionBytes > limits.maxCustomSectionBytes) {
          throw new ModuleRejected(
            `the module's custom sections total ${facts.customSectionBytes} bytes; at most ` +
              `${limits.maxCustomSectionBytes} are allowed`,
          );
        }
        const sectionName = reader.name('a custom section name');
        if (sectionName === 'name') checkNameSubsections(reader);
        reader.pos = end; // other custom sections are opaque; binaryen copies them
        break;
      }
      case 1: {
        const count = reader.count('the number of types');
        if (count > limits.maxTypes) throw atMost(`the module defines ${count} types`, limits.maxTypes);
        for (let i = 0; i < count; i++) {
          const form = reader.u8('a type');
          if (form !== 0x60) {
            if (form === 0x4e || form === 0x50 || form === 0x4f || form === 0x5e || form === 0x5f)
              throw unsupported(`type ${i} (form ${hex(form)})`, 'GC');
            throw new ModuleRejected(`type ${i} at byte ${reader.pos - 1} is not a function type (form ${hex(form)})`);
          }
          const params = reader.count('a parameter count');
          for (let p = 0; p < params; p++) checkValueType(reader.u8('a parameter type'));
          const results = reader.count('a result count');
          for (let r = 0; r < results; r++) checkValueType(reader.u8('a result type'));
          types.push({ params, results });
        }
        facts.types = count;
        break;
      }
      case 2: {
        facts.imports = reader.count('the number of imports');
        if (facts.imports > limits.maxImports)
          throw atMost(`the module has ${facts.imports} imports`, limits.maxImports);
        for (let i = 0; i < facts.imports; i++) {
          const field = `${reader.name('an import module name')}.${reader.name('an import name')}`;
          const kind = reader.u8('an import kind');
          if (kind === 0) {
            functionTypes.push(typeIndex(`import ${field}`));
            continue;
          }
          if (kind === 4) throw unsupported(`a tag import (${field})`, 'exception handling');
          const noun = IMPORT_KINDS[kind];
          if (!noun) throw new ModuleRejected(`import ${field} has unknown kind ${kind}`);
          throw new ModuleRejected(
            `the module imports a ${noun} (${field}); functions must define their own and import only functions`,
          );
        }
        facts.importedFunctions = functionTypes.length;
        checkFunctionCount();
        break;
      }
      case 3: {
        definedFunctions = reader.count('the number of functions');
        checkFunctionCount();
        for (let i = 0; i < definedFunctions; i++) functionTypes.push(typeIndex(`function ${functionTypes.length}`));
        break;
      }
      case 4: {
        const count = reader.count('the number of tables');
        if (count > limits.maxTables) throw atMost(`the module defines ${count} tables`, limits.maxTables);
        for (let i = 0; i < count; i++) {
          const type = reader.u8('a table type');
          if (type === 0x6f) throw unsupported('an externref table', 'reference types');
          if (type !== 0x70) throw new ModuleRejected(`table ${i} has unknown element type ${hex(type)}`);
          const table = limitsOf(reader, 'table');
          if (table.min > limits.maxTableEntries)
            throw atMost(`table ${i} starts with ${table.min} entries`, limits.maxTableEntries);
          if (table.max !== null && table.max > limits.maxTableEntries)
            throw atMost(`table ${i} may grow to ${table.max} entries`, limits.maxTableEntries);
          facts.tables.push(table);
        }
        break;
      }
      case 5: {
        const count = reader.count('the number of memories');
        if (count > 1) throw unsupported(`${count} memories`, 'multi-memory');
        if (count === 1) {
          const { min, max } = limitsOf(reader, 'memory');
          if (min > MAX_PAGES || (max ?? 0) > MAX_PAGES)
            throw new ModuleRejected(
              `the memory declares ${Math.max(min, max ?? 0)} pages; a 32-bit memory has at most ${MAX_PAGES}`,
            );
          facts.memory = { minPages: min, maxPages: max };
        }
        break;
      }
      case 6: {
        facts.globals = reader.count('the number of globals');
        if (facts.globals > limits.maxGlobals)
          throw atMost(`the module defines ${facts.globals} globals`, limits.maxGlobals);
        for (let i = 0; i < facts.globals; i++) {
          const type = reader.u8('a global type');
          checkValueType(type);
          if (reader.u8('a global mutability') > 1)
            throw new ModuleRejected(`global ${i}'s mutability at byte ${reader.pos - 1} is neither 0 nor 1`);
          const { op } = constant(reader, `global ${i}'s initializer`);
          if (op !== 0x41 + (0x7f - type))
            throw new ModuleRejected(`global ${i}'s initializer is not a constant of its type`);
        }
        break;
      }
      case 7: {
        facts.exports = reader.count('the number of exports');
        if (facts.exports > limits.maxExports)
          throw atMost(`the module has ${facts.exports} exports`, limits.maxExports);
        for (let i = 0; i < facts.exports; i++) {
          const exported = reader.name('an export name');
          const kind = reader.u8('an export kind');
          if (kind === 4) throw unsupported(`a tag export (${exported})`, 'exception handling');
          if (kind > 4) throw new ModuleRejected(`export ${exported} has unknown kind ${kind}`);
          reader.u32('an export index');
        }
        break;
      }
      case 8: {
        const start = reader.u32('the start function');
        if (start >= functionTypes.length)
          throw new ModuleRejected(
            `the start function is ${start}, but the module has ${plural(functionTypes.length, 'function')}`,
          );
        facts.hasStart = true; // allowed, for the runtime to run under a deadline like any call
        break;
      }
      case 9: {
        const count = reader.count('the number of element segments');
        if (count > limits.maxElementSegments)
          throw atMost(`the module has ${count} element segments`, limits.maxElementSegments);
        for (let i = 0; i < count; i++) {
          facts.elementEntries += readElementSegment(reader, i, facts.tables);
          if (facts.elementEntries > limits.maxElementEntries)
            throw atMost(
              `the module's element segments have ${facts.elementEntries} entries`,
              limits.maxElementEntries,
            );
        }
        facts.elementSegments = count;
        break;
      }
      case 12:
        dataCount = reader.u32('the data count');
        break;
      case 10: {
        facts.codeBytes = size;
        const count = reader.count('the number of function bodies');
        if (count !== definedFunctions)
          throw new ModuleRejected(
            `the code section has ${count} function bodies for ${plural(definedFunctions, 'declared function')}`,
          );
        if (!walkCode) {
          // Counting only (a module admitted before): the bodies' instructions are not walked.
          facts.bodies = count;
          reader.pos = end;
          break;
        }
        const walker = new CodeWalker(reader, {
          types,
          functionTypes,
          maxBlockDepth: limits.maxBlockDepth,
          maxExpressionDepth: limits.maxExpressionDepth,
        });
        for (let i = 0; i < count; i++)
          readBody(
            reader,
            walker,
            facts.importedFunctions + i,
            types[functionTypes[facts.importedFunctions + i]!]!.results,
            facts,
            limits,
          );
        facts.bodies = count;
        break;
      }
      case 11: {
        const count = reader.count('the number of data segments');
        if (count > limits.maxDataSegments)
          throw atMost(`the module has ${count} data segments`, limits.maxDataSegments);
        if (dataCount !== null && dataCount !== count)
          throw new ModuleRejected(
            `the data count section says ${dataCount} data segments, the data section has ${count}`,
          );
        for (let i = 0; i < count; i++) {
          facts.dataBytes += readDataSegment(reader, i, facts.memory);
          if (facts.dataBytes > limits.maxDataBytes)
            throw new ModuleRejected(
              `the module's data segments total ${facts.dataBytes} bytes; at most ${limits.maxDataBytes} are allowed`,
            );
        }
        facts.dataSegments = count;
        break;
      }
    }
    reader.leave(end, bytes.length, 'the module');
  }

  if (definedFunctions > 0 && facts.bodies !== definedFunctions)
    throw new ModuleRejected(`the module declares ${plural(definedFunctions, 'function')} but has no code section`);
  if (dataCount !== null && dataCount > 0 && facts.dataSegments === 0)
    throw new ModuleRejected(`the data count section says ${dataCount} data segments, but there is no data section`);
  facts.functions = functionTypes.length;
  return facts;
}

function readBody(
  reader: WasmReader,
  walker: CodeWalker,
  index: number,
  returns: number,
  facts: ModuleFacts,
  limits: AdmissionLimits,
): void {
  const size = reader.u32('a function body size');
  const what = `function ${index}'s body`;
  if (size > limits.maxBodyBytes)
    throw new ModuleRejected(`${what} is ${size} bytes; at most ${limits.maxBodyBytes} are allowed`);
  const [outerEnd, outerScope] = [reader.end, reader.scope];
  const end = reader.enter(size, what);
  let locals = 0;
  const groups = reader.count('the number of local declarations');
  for (let g = 0; g < groups; g++) {
    locals += reader.u32('a local count'); // each ≤ 2^32-1 and the sum stops at the limit: exact in a double
    if (locals > limits.maxLocals)
      throw new ModuleRejected(`function ${index} declares ${locals} locals; at most ${limits.maxLocals} are allowed`);
    checkValueType(reader.u8('a local type'));
  }
  let body: ReturnType<CodeWalker['walk']>;
  try {
    body = walker.walk(returns);
  } catch (err) {
    // Name the function, unless the message already does (a read past the body's end) or is about the module.
    if (err instanceof ModuleRejected && !err.message.startsWith(what) && !err.message.startsWith('the module uses')) {
      throw new ModuleRejected(`function ${index}: ${err.message}`);
    }
    throw err;
  }
  reader.leave(end, outerEnd, outerScope);
  facts.maxLocals = Math.max(facts.maxLocals, locals);
  facts.maxBodyBytes = Math.max(facts.maxBodyBytes, size);
  facts.instructions += body.instructions;
  facts.maxBlockDepth = Math.max(facts.maxBlockDepth, body.blockDepth);
  facts.maxExpressionDepth = Math.max(facts.maxExpressionDepth, body.expressionDepth);
  if (facts.instructions > limits.maxInstructions) {
    throw new ModuleRejected(
      `the module has at least ${facts.instructions} instructions; at most ${limits.maxInstructions} are allowed`,
    );
  }
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
