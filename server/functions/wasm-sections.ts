// Readers for the parts of a module's sections the module check (module-check.ts) looks inside: constant
// expressions, table and memory limits, element and data segments. Segments are checked against the initial table
// and memory here because V8 only finds a segment out of bounds at instantiate time, too late for a clean 400.
import { ModuleRejected } from './memory-cap.js';
import { unsupported } from './wasm-code.js';
import { hex, type WasmReader } from './wasm-reader.js';

export const PAGE_BYTES = 65536;

export interface Limits {
  min: number;
  max: number | null;
}

export const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** A constant expression: one constant instruction and `end`. Returns the opcode, and an i32's value. */
export function constant(reader: WasmReader, what: string): { op: number; value: number } {
  const at = reader.pos;
  const op = reader.u8(what);
  let value = 0;
  if (op === 0x41) value = reader.s32(what);
  else if (op === 0x42) reader.skipS64(what);
  else if (op === 0x43 || op === 0x44) reader.skip(op === 0x43 ? 4 : 8, what);
  else if (op === 0xd2)
    reader.u32(what); // ref.func, in element segments
  else if (op === 0xd0)
    reader.u8(what); // ref.null and its type
  else if (op === 0x23) {
    // MVP lets only imported globals appear here, and the sandbox imports none (imports must be functions).
    throw new ModuleRejected(
      `${what} at byte ${at} is a global.get; it must be a constant (the sandbox gives a module no globals to import)`,
    );
  } else throw new ModuleRejected(`${what} at byte ${at} starts with opcode ${hex(op)}, not a constant`);
  if (reader.u8(what) !== 0x0b)
    throw unsupported(`${what} at byte ${at} has more than one instruction`, 'extended constant expressions');
  return { op, value };
}

/** The offset of an active segment: an i32.const, read as unsigned as V8 does. */
function offsetOf(reader: WasmReader, what: string): number {
  const { op, value } = constant(reader, what);
  if (op !== 0x41) throw new ModuleRejected(`${what} is not an i32.const`);
  return value >>> 0;
}

/** Limits of a table or memory: flags, minimum, optional maximum. */
export function limitsOf(reader: WasmReader, what: 'table' | 'memory'): Limits {
  const flags = reader.u8(`${what} limits`);
  if (flags > 1) {
    if (what === 'memory' && flags <= 3) throw unsupported('a shared memory', 'threads');
    if (flags <= 7) throw unsupported(`a 64-bit ${what}`, 'memory64');
    throw new ModuleRejected(`${what} limits flags ${hex(flags)} at byte ${reader.pos - 1} are not valid`);
  }
  const min = reader.u32(`a ${what} minimum`);
  return { min, max: flags === 1 ? reader.u32(`a ${what} maximum`) : null };
}

/**
 * An element segment (flags 0–7: bit 0 passive or declarative, bit 1 an explicit table or declarative, bit 2
 * expressions instead of function indices); an active one must fit in its table's initial size. Returns its length.
 */
export function readElementSegment(reader: WasmReader, i: number, tables: readonly Limits[]): number {
  const flags = reader.u32('element segment flags');
  if (flags > 7) throw new ModuleRejected(`element segment ${i} has unknown flags ${flags}`);
  const active = !(flags & 1);
  const tableIndex = active && flags & 2 ? reader.u32('a table index') : 0;
  const start = active ? offsetOf(reader, `element segment ${i}'s offset`) : 0;
  if (flags & 3) {
    const kind = reader.u8('an element kind');
    if (flags & 4 ? kind !== 0x70 : kind !== 0x00)
      throw unsupported(`element segment ${i} of kind ${hex(kind)}`, 'reference types');
  }
  const count = reader.count(`element segment ${i}'s length`);
  for (let e = 0; e < count; e++) {
    if (flags & 4) constant(reader, `an element of segment ${i}`);
    else reader.u32('a function index');
  }
  if (active) {
    const table = tables[tableIndex];
    if (!table)
      throw new ModuleRejected(
        `element segment ${i} is for table ${tableIndex}, but the module defines ${plural(tables.length, 'table')}`,
      );
    if (start + count > table.min) {
      throw new ModuleRejected(
        `element segment ${i} ends at entry ${start + count}, past table ${tableIndex}'s initial size of ` +
          `${table.min} entries`,
      );
    }
  }
  return count;
}

/**
 * A data segment (flags 0 active in memory 0, 1 passive, 2 active in an explicit memory); an active one must fit in
 * the initial memory. Returns its length in bytes.
 */
export function readDataSegment(reader: WasmReader, i: number, memory: { minPages: number } | null): number {
  const flags = reader.u32('data segment flags');
  if (flags > 2) throw new ModuleRejected(`data segment ${i} has unknown flags ${flags}`);
  if (flags === 2 && reader.u32('a memory index') !== 0)
    throw unsupported(`data segment ${i} for a second memory`, 'multi-memory');
  const start = flags === 1 ? 0 : offsetOf(reader, `data segment ${i}'s offset`);
  const length = reader.u32(`data segment ${i}'s length`);
  reader.skip(length, `data segment ${i}`);
  if (flags !== 1) {
    if (!memory) throw new ModuleRejected(`data segment ${i} is active, but the module defines no memory`);
    const memoryBytes = memory.minPages * PAGE_BYTES;
    if (start + length > memoryBytes)
      throw new ModuleRejected(
        `data segment ${i} ends at byte ${start + length}, past the module's initial memory of ${memoryBytes} bytes`,
      );
  }
  return length;
}

/** The name section is the one custom section binaryen parses: its subsections must at least frame correctly. */
export function checkNameSubsections(reader: WasmReader): void {
  while (!reader.atEnd()) {
    reader.u8('a name subsection id');
    reader.skip(reader.u32('a name subsection size'), 'a name subsection');
  }
}
