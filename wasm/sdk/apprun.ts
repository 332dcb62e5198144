// The apprun function ABI, for AssemblyScript. The host writes the input and the caller's context (JSON: sub,
// tenant_id, role) into memory from alloc(), calls handle(inPtr, inLen, ctxPtr, ctxLen) → 0 on success, and reads the
// output (UTF-8) from output_ptr()/output_len(). A function re-exports the four ABI functions and defines handle.

let outPtr: usize = 0;
let outLen: i32 = 0;

export function alloc(len: i32): usize {
  return heap.alloc(<usize>max(len, 1));
}

export function dealloc(ptr: usize): void {
  heap.free(ptr);
}

export function output_ptr(): usize {
  return outPtr;
}

export function output_len(): i32 {
  return outLen;
}

/** The text the host passed at ptr/len. */
export function readString(ptr: usize, len: i32): string {
  return String.UTF8.decodeUnsafe(ptr, <usize>len);
}

/** Sets what the call returns. */
export function output(text: string): void {
  if (outPtr) heap.free(outPtr);
  const buf = String.UTF8.encode(text);
  outLen = buf.byteLength;
  outPtr = heap.alloc(<usize>max(outLen, 1));
  memory.copy(outPtr, changetype<usize>(buf), <usize>outLen);
}

/** Where the value of "key" starts in a flat JSON object, or -1. */
function valueAt(json: string, key: string): i32 {
  const at = json.indexOf('"' + key + '"');
  if (at < 0) return -1;
  let i = json.indexOf(':', at + key.length + 2);
  if (i < 0) return -1;
  i++;
  while (i < json.length && (json.charCodeAt(i) == 32 || json.charCodeAt(i) == 9 || json.charCodeAt(i) == 10)) i++;
  return i;
}

/** A string field of a flat JSON object ("" when absent; escapes other than \" are kept as written). */
export function jsonString(json: string, key: string): string {
  const i = valueAt(json, key);
  if (i < 0 || json.charCodeAt(i) != 34) return '';
  let end = i + 1;
  while (end < json.length && !(json.charCodeAt(end) == 34 && json.charCodeAt(end - 1) != 92)) end++;
  return json.slice(i + 1, end).replaceAll('\\"', '"');
}

/** A number field of a flat JSON object (NaN when absent). */
export function jsonNumber(json: string, key: string): f64 {
  const i = valueAt(json, key);
  if (i < 0) return NaN;
  let end = i;
  while (end < json.length && json.charCodeAt(end) != 44 && json.charCodeAt(end) != 125 && json.charCodeAt(end) != 32) end++;
  return parseFloat(json.slice(i, end));
}

/** A JSON string literal for text (runs of plain characters are copied whole: linear in the text's length). */
export function quote(text: string): string {
  const parts = new Array<string>();
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 32 && c != 34 && c != 92) continue;
    parts.push(text.slice(start, i));
    if (c == 34) parts.push('\\"');
    else if (c == 92) parts.push('\\\\');
    else if (c == 10) parts.push('\\n');
    else if (c == 13) parts.push('\\r');
    else if (c == 9) parts.push('\\t');
    else parts.push('\\u00' + (c < 16 ? '0' : '') + c.toString(16));
    start = i + 1;
  }
  parts.push(text.slice(start));
  return '"' + parts.join('') + '"';
}

// Network, for functions whose manifest lists allowed_hosts (a module that uses it without them is refused at deploy).
@external("env", "apprun_http")
declare function hostHttp(methodPtr: usize, methodLen: i32, urlPtr: usize, urlLen: i32, bodyPtr: usize, bodyLen: i32): usize;

/** An HTTP response; status 0 means the request failed, and error says why. */
export class HttpResponse {
  constructor(
    public status: i32,
    public body: string,
    public error: string,
  ) {}
}

/**
 * An HTTP request to a host the manifest's allowed_hosts lists, within the invocation's deadline. A host not on the
 * list ends the invocation with network_denied; a refused connection or a bad URL comes back as status 0.
 */
export function httpRequest(method: string, url: string, body: string = ""): HttpResponse {
  const m = String.UTF8.encode(method);
  const u = String.UTF8.encode(url);
  const b = String.UTF8.encode(body);
  const ptr = hostHttp(changetype<usize>(m), m.byteLength, changetype<usize>(u), u.byteLength, changetype<usize>(b), b.byteLength);
  const status = <i32>load<u32>(ptr);
  const text = String.UTF8.decodeUnsafe(ptr + 8, <usize>load<u32>(ptr, 4));
  heap.free(ptr);
  return status == 0 ? new HttpResponse(0, "", text) : new HttpResponse(status, text, "");
}
