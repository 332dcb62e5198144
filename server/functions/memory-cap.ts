// Rewrites a module's memory limits so it can never grow past a maximum: a memory bomb then fails inside the
// sandbox instead of taking the appliance's memory. (binaryen's setMemory aborts on a module that already has a
// memory, so the memory section is patched directly; its format is two LEB128 numbers behind a flags byte.)

function readUleb(bytes: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    if (pos >= bytes.length) throw new ModuleRejected('the module ends inside a number');
    byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, pos];
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

/** A module the sandbox will not run; the message says why, for a 400. */
export class ModuleRejected extends Error {}

const MEMORY_SECTION = 5;

export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  let pos = 8; // magic + version
  while (pos < bytes.length) {
    const id = bytes[pos]!;
    const [size, body] = readUleb(bytes, pos + 1);
    if (id === MEMORY_SECTION) {
      const [count, p0] = readUleb(bytes, body);
      if (count !== 1) throw new ModuleRejected('a function must define exactly one memory');
      const flags = bytes[p0]!;
      if (flags & ~1) throw new ModuleRejected('shared or 64-bit memories are not supported');
      const [min, p1] = readUleb(bytes, p0 + 1);
      let max = maxPages;
      let end = p1;
      if (flags & 1) {
        const [declared, p2] = readUleb(bytes, p1);
        max = Math.min(declared, maxPages);
        end = p2;
      }
      if (min > maxPages)
        throw new ModuleRejected(`the module asks for ${min} memory pages at start; at most ${maxPages} are allowed`);
      const section = [...uleb(1), 0x01, ...uleb(min), ...uleb(max), ...bytes.subarray(end, body + size)];
      return Buffer.concat([
        bytes.subarray(0, pos),
        Buffer.from([MEMORY_SECTION, ...uleb(section.length), ...section]),
        bytes.subarray(body + size),
      ]);
    }
    pos = body + size;
  }
  throw new ModuleRejected('a function must define its own memory');
}
