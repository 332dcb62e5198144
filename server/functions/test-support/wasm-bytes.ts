// A tiny WebAssembly encoder for test modules: each is built from bytes, small and fast, to hit one limit at a time.
export type Bytes = Uint8Array | number[];
export const cat = (...parts: Bytes[]) =>
  new Uint8Array(Buffer.concat(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)))));
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    const byte = n % 128;
    n = Math.floor(n / 128);
    out.push(n ? byte | 0x80 : byte);
  } while (n);
  return out;
}
export const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
};
export const utf8 = (s: string) => [...Buffer.from(s)];
export const str = (s: string) => [...uleb(utf8(s).length), ...utf8(s)];
export const vec = (items: Bytes[]) => cat(uleb(items.length), ...items);
export const section = (id: number, ...body: Bytes[]) => {
  const b = cat(...body);
  return cat([id], uleb(b.length), b);
};
export const wasm = (...sections: Bytes[]) => cat([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0], ...sections);
export const repeat = (times: number, bytes: number[]) =>
  new Uint8Array(times * bytes.length).map((_, i) => bytes[i % bytes.length]!);

export const I32 = 0x7f;
export const END = 0x0b;
export const voidType = section(1, vec([[0x60, 0, 0]]));
/** A body: local declarations, then code and its end. */
export const body = (code: Bytes, locals: Bytes[] = []) => {
  const b = cat(vec(locals), code, [END]);
  return cat(uleb(b.length), b);
};
export const memory = (minPages: number) => section(5, vec([[0x00, ...uleb(minPages)]]));
export const table = (...limits: number[]) => section(4, vec([[0x70, limits.length - 1, ...limits.flatMap(uleb)]]));
export const SECTION_ORDER = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10];
/** A module of () → () functions with these bodies, and other sections, each put in its place. */
export const functions = (bodies: Bytes[], ...others: Uint8Array[]) =>
  wasm(
    ...[voidType, section(3, vec(bodies.map(() => [0]))), section(10, vec(bodies)), ...others].sort(
      (a, b) => SECTION_ORDER[a[0]!]! - SECTION_ORDER[b[0]!]!,
    ),
  );
export const dataSegment = (offset: number, length: number) => [
  0,
  0x41,
  ...sleb(offset),
  END,
  ...uleb(length),
  ...new Array<number>(length).fill(7),
];
