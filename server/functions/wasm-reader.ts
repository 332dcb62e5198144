// A bounds-checked cursor over WebAssembly binary-format bytes, for the module check (module-check.ts). Every read
// either consumes at least one byte or throws ModuleRejected, so a loop over untrusted counts cannot spin: a count
// larger than the bytes left fails at the first missing byte instead of allocating or iterating further.
import { ModuleRejected } from './memory-cap.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

export class WasmReader {
  pos = 0;
  /** Reads stop here: the end of the section (or body) being read, else the module's end. */
  end: number;
  /** What `end` is the end of, for messages ("the code section"). */
  scope = 'the module';

  constructor(readonly bytes: Uint8Array) {
    this.end = bytes.length;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Narrows reads to [pos, pos + size) and names that span; returns its end. */
  enter(size: number, scope: string): number {
    const end = this.pos + size;
    if (end > this.end)
      throw new ModuleRejected(
        `${scope} at byte ${this.pos} declares ${size} bytes, past the end of ${this.scope} at byte ${this.end}`,
      );
    this.end = end;
    this.scope = scope;
    return end;
  }

  /** Restores the enclosing span after enter(), insisting the inner one was read exactly. */
  leave(end: number, outerEnd: number, outerScope: string): void {
    if (this.pos !== end)
      throw new ModuleRejected(
        `${this.scope} has ${end - this.pos} bytes left over after its contents (byte ${this.pos})`,
      );
    this.end = outerEnd;
    this.scope = outerScope;
  }

  private truncated(what: string): ModuleRejected {
    return new ModuleRejected(`${this.scope} ends inside ${what} (byte ${this.pos})`);
  }

  u8(what: string): number {
    if (this.pos >= this.end) throw this.truncated(what);
    return this.bytes[this.pos++]!;
  }

  skip(count: number, what: string): void {
    if (count > this.end - this.pos) throw this.truncated(what);
    this.pos += count;
  }

  /**
   * An LEB128 number of at most `bits` bits: at most ceil(bits / 7) bytes, and the unused high bits of the last byte
   * zero (unsigned) or copies of the sign bit (signed), as the spec requires. Values up to 35 bits are exact doubles.
   */
  private leb(bits: number, signed: boolean, what: string): number {
    const start = this.pos;
    const maxBytes = Math.ceil(bits / 7);
    let value = 0;
    let scale = 1;
    for (let n = 1; ; n++) {
      const byte = this.u8(what);
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (!(byte & 0x80)) {
        if (n === maxBytes) {
          const used = bits - 7 * (n - 1);
          const extra = byte & 0x7f & ~((1 << used) - 1);
          const signBit = (byte >> (used - 1)) & 1;
          const expected = signed && signBit ? 0x7f & ~((1 << used) - 1) : 0;
          if (extra !== expected) throw new ModuleRejected(`${what} at byte ${start} does not fit in ${bits} bits`);
        }
        return signed && byte & 0x40 ? value - scale : value;
      }
      if (n === maxBytes)
        throw new ModuleRejected(`${what} at byte ${start} is not a valid LEB128 number (more than ${maxBytes} bytes)`);
    }
  }

  u32(what: string): number {
    const byte = this.bytes[this.pos]; // most are one byte: a fast path for the instruction walk
    if (byte !== undefined && byte < 0x80 && this.pos < this.end) {
      this.pos++;
      return byte;
    }
    return this.leb(32, false, what);
  }

  s32(what: string): number {
    const byte = this.bytes[this.pos];
    if (byte !== undefined && byte < 0x80 && this.pos < this.end) {
      this.pos++;
      return byte & 0x40 ? byte - 0x80 : byte;
    }
    return this.leb(32, true, what);
  }

  s33(what: string): number {
    return this.leb(33, true, what);
  }

  /** An i64 immediate: checked like the others, its value not needed (and not exact in a double). */
  skipS64(what: string): void {
    this.leb(64, true, what);
  }

  /** A vector length, refused when not even one byte per element is left (no allocation or loop sized by a lie). */
  count(what: string): number {
    const n = this.u32(what);
    if (n > this.end - this.pos)
      throw new ModuleRejected(`${what} is ${n}, more than the ${this.end - this.pos} bytes left in ${this.scope}`);
    return n;
  }

  /** A name: a byte length and that many bytes of valid UTF-8. */
  name(what: string): string {
    const at = this.pos;
    const length = this.u32(what);
    const start = this.pos;
    if (length > this.end - start)
      throw new ModuleRejected(
        `${what} at byte ${at} is ${length} bytes long, past the end of ${this.scope} at byte ${this.end}`,
      );
    this.pos += length;
    try {
      return strictUtf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      throw new ModuleRejected(`${what} at byte ${at} is not valid UTF-8`);
    }
  }
}
