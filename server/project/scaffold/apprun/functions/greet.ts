// greet: returns "Hello, <input>!". A function of the project: AssemblyScript against apprun's SDK, built and
// deployed to every tenant of config.toml at `apprun up` and whenever this file is saved (`apprun functions deploy`
// does it by hand). Invoke it: POST /functions/greet/invoke with a tenant user's token.
import { output, readString } from 'apprun';
export { alloc, dealloc, output_len, output_ptr } from 'apprun';

export function handle(inPtr: usize, inLen: i32, ctxPtr: usize, ctxLen: i32): i32 {
  const name = readString(inPtr, inLen);
  output('Hello, ' + (name.length > 0 ? name : 'world') + '!');
  return 0;
}
