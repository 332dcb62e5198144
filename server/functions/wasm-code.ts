// The instruction walker of the module check (module-check.ts): decodes one function body of the instruction set the
// sandbox accepts (prepare-module.ts FEATURES: MVP, sign-ext, non-trapping float-to-int, bulk memory) and measures how deep
// it nests. Two depths, since binaryen recurses on both: block/loop/if nesting, and the depth of the expression tree
// binaryen builds from the stack code (`i32.const 0` then 3,000 × `i32.eqz` is one block deep but a 3,000-deep tree,
// and overflowed binaryen's stack in emitBinary). The tree depth is tracked with a stack of operand depths; it need
// not match binaryen to the node, only bound it, so an operand stack that runs dry (unreachable code, or an invalid
// module V8 will refuse anyway) just counts as depth 0.
import { ModuleRejected } from './memory-cap.js';
import { hex, type WasmReader } from './wasm-reader.js';

export interface FunctionType {
  params: number;
  results: number;
}

export interface CodeContext {
  types: FunctionType[];
  /** Type index of every function, imported ones first. */
  functionTypes: number[];
  maxBlockDepth: number;
  maxExpressionDepth: number;
}

export interface BodyFacts {
  instructions: number;
  blockDepth: number;
  expressionDepth: number;
}

/** Operands popped and results pushed by the instructions without immediates (0x1a–0xc4); -1: not one of them. */
const POPS = new Int8Array(256).fill(-1);
const PUSHES = new Int8Array(256);
function simple(from: number, to: number, pops: number, pushes: number): void {
  for (let op = from; op <= to; op++) [POPS[op], PUSHES[op]] = [pops, pushes];
}
simple(0x01, 0x01, 0, 0); // nop
simple(0x1a, 0x1a, 1, 0); // drop
simple(0x1b, 0x1b, 3, 1); // select
simple(0x45, 0x45, 1, 1); // i32.eqz
simple(0x46, 0x4f, 2, 1); // i32 comparisons
simple(0x50, 0x50, 1, 1); // i64.eqz
simple(0x51, 0x66, 2, 1); // i64, f32, f64 comparisons
simple(0x67, 0x69, 1, 1); // i32 clz ctz popcnt
simple(0x6a, 0x78, 2, 1); // i32 arithmetic
simple(0x79, 0x7b, 1, 1); // i64 clz ctz popcnt
simple(0x7c, 0x8a, 2, 1); // i64 arithmetic
simple(0x8b, 0x91, 1, 1); // f32 unary
simple(0x92, 0x98, 2, 1); // f32 binary
simple(0x99, 0x9f, 1, 1); // f64 unary
simple(0xa0, 0xa6, 2, 1); // f64 binary
simple(0xa7, 0xc4, 1, 1); // conversions, reinterpretations, sign extension

/** Features some refused opcodes belong to, so the message says what to turn off in the toolchain. */
function featureOf(op: number): string {
  if (op === 0xfd) return 'SIMD';
  if (op === 0xfe) return 'threads';
  if (op === 0xfb) return 'GC';
  if ((op >= 0x06 && op <= 0x0a) || op === 0x18 || op === 0x19 || op === 0x1f) return 'exception handling';
  if (op >= 0x12 && op <= 0x15) return 'tail calls / function references';
  if (op === 0x1c || op === 0x25 || op === 0x26 || (op >= 0xd0 && op <= 0xd6)) return 'reference types';
  return 'unknown';
}

export function unsupported(what: string, feature: string): ModuleRejected {
  return new ModuleRejected(`the module uses WebAssembly features the sandbox does not support: ${what} (${feature})`);
}

/** A value type of a local, parameter, result or global; the sandbox's are i32, i64, f32 and f64. */
export function checkValueType(code: number): void {
  if (code >= 0x7c && code <= 0x7f) return;
  if (code === 0x7b) throw unsupported('value type v128', 'SIMD');
  if (code === 0x70 || code === 0x6f) throw unsupported(`value type ${hex(code)}`, 'reference types');
  throw new ModuleRejected(`unknown value type ${hex(code)}`);
}

/** A control frame: where its operands start, its branch and result arities, and the deepest child so far. */
interface Frame {
  kind: 'function' | 'block' | 'loop' | 'if' | 'else';
  base: number;
  params: number;
  /** The depth of the operands the block took, pushed again at its else. */
  paramDepth: number;
  results: number;
  deepest: number;
}

/**
 * Walks the bodies of one module (a class, not closures per body: the walk is the module check's hot loop).
 * walk() decodes one body, the reader positioned after its locals and bounded at its end; throws ModuleRejected.
 */
export class CodeWalker {
  /** The tree depth of each operand on the stack. */
  private readonly operands: number[] = [];
  private readonly frames: Frame[] = [];
  private frame!: Frame;
  private expressionDepth = 0;
  private blockDepth = 0;

  constructor(
    private readonly reader: WasmReader,
    private readonly context: CodeContext,
  ) {}

  walk(returns: number): BodyFacts {
    const { reader, context, operands, frames } = this;
    operands.length = 0;
    frames.length = 0;
    this.frame = { kind: 'function', base: 0, params: 0, paramDepth: 0, results: returns, deepest: 0 };
    frames.push(this.frame);
    this.expressionDepth = 0;
    this.blockDepth = 0;
    let instructions = 0;

    for (;;) {
      const op = reader.u8('an instruction');
      instructions++;
      const pops = POPS[op]!;
      if (pops >= 0) {
        this.apply(pops, PUSHES[op]!);
        continue;
      }
      switch (op) {
        case 0x00: // unreachable
          this.apply(0, 0);
          this.unwind();
          break;
        case 0x02: // block
        case 0x03: // loop
        case 0x04: // if
          this.open(op === 0x02 ? 'block' : op === 0x03 ? 'loop' : 'if');
          break;
        case 0x05: // else
          if (this.frame.kind !== 'if')
            throw new ModuleRejected(`an else at byte ${reader.pos - 1} does not belong to an if`);
          this.settle();
          this.frame.kind = 'else';
          this.pushParams();
          break;
        case 0x0b: {
          // end
          this.settle();
          const done = frames.pop()!;
          const depth = done.deepest + 1;
          if (depth > this.expressionDepth) this.expressionDepth = depth;
          if (frames.length === 0) {
            if (reader.pos !== reader.end)
              throw new ModuleRejected(
                `the body ends at byte ${reader.pos}, before its declared end at byte ${reader.end}`,
              );
            // Checked once the body is read, so the message gives the depth itself (the walk is linear regardless).
            const { blockDepth, expressionDepth } = this;
            if (blockDepth > context.maxBlockDepth)
              throw new ModuleRejected(`blocks nest ${blockDepth} deep; at most ${context.maxBlockDepth} are allowed`);
            if (expressionDepth > context.maxExpressionDepth) {
              throw new ModuleRejected(
                `expressions nest ${expressionDepth} deep; at most ${context.maxExpressionDepth} are allowed`,
              );
            }
            return { instructions, blockDepth, expressionDepth };
          }
          const frame = frames[frames.length - 1]!;
          this.frame = frame;
          if (done.results === 0) frame.deepest = Math.max(frame.deepest, depth);
          for (let i = 0; i < done.results; i++) operands.push(depth);
          break;
        }
        case 0x0c: // br
          this.apply(this.label(reader.u32('a branch label')), 0);
          this.unwind();
          break;
        case 0x0d: {
          // br_if: the condition and the label's values, which stay on the stack
          const arity = this.label(reader.u32('a branch label'));
          this.apply(arity + 1, arity);
          break;
        }
        case 0x0e: {
          // br_table: every target costs binaryen a name, so each counts as an instruction
          const targets = reader.count('a br_table length');
          for (let i = 0; i < targets; i++) this.label(reader.u32('a branch label'));
          instructions += targets;
          this.apply(this.label(reader.u32('a branch label')) + 1, 0);
          this.unwind();
          break;
        }
        case 0x0f: // return
          this.apply(returns, 0);
          this.unwind();
          break;
        case 0x10: {
          // call
          const callee = reader.u32('a function index');
          const typeIndex = context.functionTypes[callee];
          if (typeIndex === undefined)
            throw new ModuleRejected(
              `a call at byte ${reader.pos} targets function ${callee}, but the module has ` +
                `${context.functionTypes.length}`,
            );
          const type = this.typeAt(typeIndex, 'a call');
          this.apply(type.params, type.results);
          break;
        }
        case 0x11: {
          // call_indirect: type index, table index
          const type = this.typeAt(reader.u32('a type index'), 'a call_indirect');
          reader.u32('a table index');
          this.apply(type.params + 1, type.results);
          break;
        }
        case 0x20: // local.get
        case 0x23: // global.get
          reader.u32('a local or global index');
          this.apply(0, 1);
          break;
        case 0x21: // local.set
        case 0x24: // global.set
          reader.u32('a local or global index');
          this.apply(1, 0);
          break;
        case 0x22: // local.tee
          reader.u32('a local index');
          this.apply(1, 1);
          break;
        case 0x3f: // memory.size
        case 0x40: // memory.grow
          reader.u32('a memory index');
          this.apply(op === 0x3f ? 0 : 1, 1);
          break;
        case 0x41:
          reader.s32('an i32 constant');
          this.apply(0, 1);
          break;
        case 0x42:
          reader.skipS64('an i64 constant');
          this.apply(0, 1);
          break;
        case 0x43:
        case 0x44:
          reader.skip(op === 0x43 ? 4 : 8, 'a float constant');
          this.apply(0, 1);
          break;
        case 0xfc:
          this.prefixed();
          break;
        default:
          if (op >= 0x28 && op <= 0x3e) {
            // loads (1 operand → 1) and stores (2 → 0), with a memarg: alignment, offset
            reader.u32('a memory alignment');
            reader.u32('a memory offset');
            if (op <= 0x35) this.apply(1, 1);
            else this.apply(2, 0);
            break;
          }
          throw unsupported(`opcode ${hex(op)} at byte ${reader.pos - 1}`, featureOf(op));
      }
    }
  }

  private pop(): number {
    return this.operands.length > this.frame.base ? this.operands.pop()! : 0;
  }

  /** An instruction with `pops` operands: its tree depth is one more than its deepest operand's. */
  private apply(pops: number, pushes: number): void {
    let depth = 0;
    for (let i = 0; i < pops; i++) depth = Math.max(depth, this.pop());
    depth++;
    if (depth > this.expressionDepth) this.expressionDepth = depth;
    if (pushes === 0 && depth > this.frame.deepest) this.frame.deepest = depth;
    for (let i = 0; i < pushes; i++) this.operands.push(depth);
  }

  /** After br, br_table, return, unreachable: nothing below is reached, the operand stack is polymorphic. */
  private unwind(): void {
    this.operands.length = this.frame.base;
  }

  private typeAt(index: number, what: string): FunctionType {
    const type = this.context.types[index];
    if (!type)
      throw new ModuleRejected(`${what} uses type ${index}, but the module defines ${this.context.types.length} types`);
    return type;
  }

  /** The arity of a branch to the label `depth` blocks out: a loop's parameters, another block's results. */
  private label(depth: number): number {
    const target = this.frames[this.frames.length - 1 - depth];
    if (!target)
      throw new ModuleRejected(
        `a branch at byte ${this.reader.pos} targets label ${depth}, outside the function's ${this.frames.length} ` +
          `blocks`,
      );
    return target.kind === 'loop' ? target.params : target.results;
  }

  private pushParams(): void {
    for (let i = 0; i < this.frame.params; i++) this.operands.push(this.frame.paramDepth);
  }

  private open(kind: 'block' | 'loop' | 'if'): void {
    const code = this.reader.s33('a block type');
    let params = 0;
    let results = 0;
    if (code >= 0) ({ params, results } = this.typeAt(code, 'a block'));
    else if (code < -0x40) throw new ModuleRejected(`unknown block type at byte ${this.reader.pos - 1}`);
    else if (code !== -0x40) {
      checkValueType(code + 0x80);
      results = 1;
    }
    const conditionDepth = kind === 'if' ? this.pop() : 0;
    let paramDepth = 0;
    for (let i = 0; i < params; i++) paramDepth = Math.max(paramDepth, this.pop());
    this.frame = { kind, base: this.operands.length, params, paramDepth, results, deepest: conditionDepth };
    this.frames.push(this.frame);
    this.pushParams();
    if (this.frames.length - 1 > this.blockDepth) this.blockDepth = this.frames.length - 1;
  }

  /** Folds a frame's operands into its deepest child: what a block's (or if-arm's) tree depth is measured from. */
  private settle(): void {
    const { operands, frame } = this;
    while (operands.length > frame.base) frame.deepest = Math.max(frame.deepest, operands.pop()!);
  }

  /** The 0xfc prefix: saturating truncations (0–7) and bulk memory (8–14); table.grow/size/fill (15–17) are refused. */
  private prefixed(): void {
    const reader = this.reader;
    const sub = reader.u32('a 0xfc instruction');
    if (sub <= 7) {
      this.apply(1, 1);
      return;
    }
    switch (sub) {
      case 8: // memory.init data, memory
      case 10: // memory.copy memory, memory
      case 12: // table.init element, table
      case 14: // table.copy table, table
        reader.u32('an index');
        reader.u32('an index');
        this.apply(3, 0);
        return;
      case 11: // memory.fill memory
        reader.u32('a memory index');
        this.apply(3, 0);
        return;
      case 9: // data.drop
      case 13: // elem.drop
        reader.u32('a segment index');
        this.apply(0, 0);
        return;
      case 15:
      case 16:
      case 17:
        // Reference-types instructions: binaryen refuses them under FEATURES, and refusing table.grow here is what
        // keeps every table at its declared minimum for the life of an instance (see module-limits.ts).
        reader.u32('a table index');
        throw unsupported(
          `${['table.grow', 'table.size', 'table.fill'][sub - 15]} (0xfc ${sub}) at byte ${reader.pos}`,
          'reference types',
        );
      default:
        throw unsupported(`opcode 0xfc ${sub} at byte ${reader.pos}`, 'unknown');
    }
  }
}
