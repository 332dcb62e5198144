// whoami: answers with the caller's tenant and role, from the invocation context the gateway passes.
import { jsonString, output, quote, readString } from '../sdk/apprun';
export { alloc, dealloc, output_len, output_ptr } from '../sdk/apprun';

export function handle(inPtr: usize, inLen: i32, ctxPtr: usize, ctxLen: i32): i32 {
  const context = readString(ctxPtr, ctxLen);
  const role = jsonString(context, 'role');
  const tenant = jsonString(context, 'tenant_id');
  const greeting = role == 'admin' ? 'You may deploy functions in this tenant.' : 'You may invoke functions in this tenant.';
  output(`{"tenant_id":${quote(tenant)},"role":${quote(role)},"message":${quote(greeting)}}`);
  return 0;
}
