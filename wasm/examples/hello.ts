// hello: returns "Hello, <input>!" — the echo of the examples.
import { output, readString } from '../sdk/apprun';
export { alloc, dealloc, output_len, output_ptr } from '../sdk/apprun';

export function handle(inPtr: usize, inLen: i32, ctxPtr: usize, ctxLen: i32): i32 {
  const name = readString(inPtr, inLen);
  output('Hello, ' + (name.length > 0 ? name : 'world') + '!');
  return 0;
}
