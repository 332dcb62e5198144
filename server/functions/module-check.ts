// The module check: one linear pass over an uploaded module's binary format that refuses, by name, what would be
// expensive or fail later (module-limits.ts says what and why). It runs first in a module's preparation, before
// binaryen and any V8 compile, and again (counting only) when a function thread loads a stored module. Everything
// here throws ModuleRejected, never another error; the checks V8's validator makes anyway (operand types, most index
// bounds) are left to it.
import { ModuleRejected } from './memory-cap.js';
import { MODULE_LIMITS, type ModuleFacts, type ModuleLimits } from './module-limits.js';
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

/** What one pass has read so far: the facts, and what later sections are checked against. */
interface Scan {
  reader: WasmReader;
  limits: ModuleLimits;
  facts: ModuleFacts;
  types: FunctionType[];
  /** The type of every function, imported ones first. */
  functionTypes: number[];
  definedFunctions: number;
  dataCount: number | null;
  walkCode: boolean;
  /** The current section's size and end. */
  size: number;
  end: number;
}

const emptyFacts = (): ModuleFacts => ({
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
});

/**
 * Checks a module against the limits and returns what it counted; throws ModuleRejected naming the limit and the
 * value found, or what is malformed. walkCode: false skips the instructions (no depths or instruction count), for
 * the facts of a module admitted before. Linear in the module's size: every loop consumes bytes, and counts are checked
 * against the limits as soon as they are read.
 */
export function checkModule(
  bytes: Uint8Array,
  limits: ModuleLimits = MODULE_LIMITS,
  { walkCode = true } = {},
): ModuleFacts {
  checkHeader(bytes);
  const scan: Scan = {
    reader: new WasmReader(bytes),
    limits,
    facts: emptyFacts(),
    types: [],
    functionTypes: [],
    definedFunctions: 0,
    dataCount: null,
    walkCode,
    size: 0,
    end: 0,
  };
  const { reader, facts } = scan;
  reader.pos = 8;
  let lastRank = 0;
  let lastName = 'header';
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
    scan.size = reader.u32(`the size of the ${name} section`);
    if (id === 10 && scan.size > limits.maxCodeSectionBytes)
      throw new ModuleRejected(
        `the code section is ${scan.size} bytes; at most ${limits.maxCodeSectionBytes} are allowed`,
      );
    scan.end = reader.enter(scan.size, `the ${name} section`);
    SECTIONS[id]!(scan);
    reader.leave(scan.end, bytes.length, 'the module');
  }

  if (scan.definedFunctions > 0 && facts.bodies !== scan.definedFunctions)
    throw new ModuleRejected(
      `the module declares ${plural(scan.definedFunctions, 'function')} but has no code section`,
    );
  if (scan.dataCount !== null && scan.dataCount > 0 && facts.dataSegments === 0)
    throw new ModuleRejected(
      `the data count section says ${scan.dataCount} data segments, but there is no data section`,
    );
  facts.functions = scan.functionTypes.length;
  return facts;
}

function checkHeader(bytes: Uint8Array): void {
  if (bytes.length < 8)
    throw new ModuleRejected(`not a WebAssembly module: ${bytes.length} bytes, shorter than the 8-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw new ModuleRejected('not a WebAssembly module (no \\0asm magic)');
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version !== 1)
    throw new ModuleRejected(`WebAssembly binary version ${version >>> 0}; only version 1 modules are supported`);
}

/** A type index, checked against the types read so far. */
function typeIndex({ reader, types }: Scan, what: string): number {
  const index = reader.u32(what);
  if (index >= types.length)
    throw new ModuleRejected(`${what} is type ${index}, but the module defines ${plural(types.length, 'type')}`);
  return index;
}

function checkFunctionCount({ facts, definedFunctions, limits }: Scan): void {
  const total = facts.importedFunctions + definedFunctions;
  if (total <= limits.maxFunctions) return;
  const found = facts.importedFunctions
    ? `the module defines ${definedFunctions} functions and imports ${facts.importedFunctions}`
    : `the module defines ${total} functions`;
  throw atMost(found, limits.maxFunctions);
}

function customSection({ reader, facts, limits, size, end }: Scan): void {
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
  if (reader.name('a custom section name') === 'name') checkNameSubsections(reader);
  reader.pos = end; // other custom sections are opaque; binaryen copies them
}

function typeSection({ reader, facts, limits, types }: Scan): void {
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
}

function importSection(scan: Scan): void {
  const { reader, facts, limits, functionTypes } = scan;
  facts.imports = reader.count('the number of imports');
  if (facts.imports > limits.maxImports) throw atMost(`the module has ${facts.imports} imports`, limits.maxImports);
  for (let i = 0; i < facts.imports; i++) {
    const field = `${reader.name('an import module name')}.${reader.name('an import name')}`;
    const kind = reader.u8('an import kind');
    if (kind === 0) {
      functionTypes.push(typeIndex(scan, `import ${field}`));
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
  checkFunctionCount(scan);
}

function functionSection(scan: Scan): void {
  scan.definedFunctions = scan.reader.count('the number of functions');
  checkFunctionCount(scan);
  for (let i = 0; i < scan.definedFunctions; i++)
    scan.functionTypes.push(typeIndex(scan, `function ${scan.functionTypes.length}`));
}

function tableSection({ reader, facts, limits }: Scan): void {
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
}

function memorySection({ reader, facts }: Scan): void {
  const count = reader.count('the number of memories');
  if (count > 1) throw unsupported(`${count} memories`, 'multi-memory');
  if (count === 0) return;
  const { min, max } = limitsOf(reader, 'memory');
  if (min > MAX_PAGES || (max ?? 0) > MAX_PAGES)
    throw new ModuleRejected(
      `the memory declares ${Math.max(min, max ?? 0)} pages; a 32-bit memory has at most ${MAX_PAGES}`,
    );
  facts.memory = { minPages: min, maxPages: max };
}

function globalSection({ reader, facts, limits }: Scan): void {
  facts.globals = reader.count('the number of globals');
  if (facts.globals > limits.maxGlobals) throw atMost(`the module defines ${facts.globals} globals`, limits.maxGlobals);
  for (let i = 0; i < facts.globals; i++) {
    const type = reader.u8('a global type');
    checkValueType(type);
    if (reader.u8('a global mutability') > 1)
      throw new ModuleRejected(`global ${i}'s mutability at byte ${reader.pos - 1} is neither 0 nor 1`);
    const { op } = constant(reader, `global ${i}'s initializer`);
    if (op !== 0x41 + (0x7f - type))
      throw new ModuleRejected(`global ${i}'s initializer is not a constant of its type`);
  }
}

function exportSection({ reader, facts, limits }: Scan): void {
  facts.exports = reader.count('the number of exports');
  if (facts.exports > limits.maxExports) throw atMost(`the module has ${facts.exports} exports`, limits.maxExports);
  for (let i = 0; i < facts.exports; i++) {
    const exported = reader.name('an export name');
    const kind = reader.u8('an export kind');
    if (kind === 4) throw unsupported(`a tag export (${exported})`, 'exception handling');
    if (kind > 4) throw new ModuleRejected(`export ${exported} has unknown kind ${kind}`);
    reader.u32('an export index');
  }
}

function startSection({ reader, facts, functionTypes }: Scan): void {
  const start = reader.u32('the start function');
  if (start >= functionTypes.length)
    throw new ModuleRejected(
      `the start function is ${start}, but the module has ${plural(functionTypes.length, 'function')}`,
    );
  facts.hasStart = true; // allowed, for the runtime to run under a deadline like any call
}

function elementSection({ reader, facts, limits }: Scan): void {
  const count = reader.count('the number of element segments');
  if (count > limits.maxElementSegments)
    throw atMost(`the module has ${count} element segments`, limits.maxElementSegments);
  for (let i = 0; i < count; i++) {
    facts.elementEntries += readElementSegment(reader, i, facts.tables);
    if (facts.elementEntries > limits.maxElementEntries)
      throw atMost(`the module's element segments have ${facts.elementEntries} entries`, limits.maxElementEntries);
  }
  facts.elementSegments = count;
}

function dataCountSection(scan: Scan): void {
  scan.dataCount = scan.reader.u32('the data count');
}

function codeSection(scan: Scan): void {
  const { reader, facts, limits, types, functionTypes, definedFunctions } = scan;
  facts.codeBytes = scan.size;
  const count = reader.count('the number of function bodies');
  if (count !== definedFunctions)
    throw new ModuleRejected(
      `the code section has ${count} function bodies for ${plural(definedFunctions, 'declared function')}`,
    );
  if (!scan.walkCode) {
    // Counting only (a module admitted before): the bodies' instructions are not walked.
    facts.bodies = count;
    reader.pos = scan.end;
    return;
  }
  const walker = new CodeWalker(reader, {
    types,
    functionTypes,
    maxBlockDepth: limits.maxBlockDepth,
    maxExpressionDepth: limits.maxExpressionDepth,
  });
  for (let i = 0; i < count; i++) {
    const index = facts.importedFunctions + i;
    readBody(scan, walker, index, types[functionTypes[index]!]!.results);
  }
  facts.bodies = count;
}

function dataSection({ reader, facts, limits, dataCount }: Scan): void {
  const count = reader.count('the number of data segments');
  if (count > limits.maxDataSegments) throw atMost(`the module has ${count} data segments`, limits.maxDataSegments);
  if (dataCount !== null && dataCount !== count)
    throw new ModuleRejected(`the data count section says ${dataCount} data segments, the data section has ${count}`);
  for (let i = 0; i < count; i++) {
    facts.dataBytes += readDataSegment(reader, i, facts.memory);
    if (facts.dataBytes > limits.maxDataBytes)
      throw new ModuleRejected(
        `the module's data segments total ${facts.dataBytes} bytes; at most ${limits.maxDataBytes} are allowed`,
      );
  }
  facts.dataSegments = count;
}

/** One check per section id, in the binary format's numbering. */
const SECTIONS: ((scan: Scan) => void)[] = [
  customSection,
  typeSection,
  importSection,
  functionSection,
  tableSection,
  memorySection,
  globalSection,
  exportSection,
  startSection,
  elementSection,
  codeSection,
  dataSection,
  dataCountSection,
];

function readBody({ reader, facts, limits }: Scan, walker: CodeWalker, index: number, returns: number): void {
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
