// http-status: {"url": "http://127.0.0.1:8080/healthz"} → that URL's status and body. Needs network: deploy it with a
// manifest whose allowed_hosts lists the URL's host, e.g. {"allowed_hosts": ["127.0.0.1:8080"]}.
import { httpRequest, jsonString, output, quote, readString } from '../sdk/apprun';
export { alloc, dealloc, output_len, output_ptr } from '../sdk/apprun';

export function handle(inPtr: usize, inLen: i32, ctxPtr: usize, ctxLen: i32): i32 {
  const url = jsonString(readString(inPtr, inLen), 'url');
  if (url.length == 0) {
    output('input needs a "url"');
    return 1;
  }
  const res = httpRequest('GET', url);
  if (res.status == 0) {
    output(res.error);
    return 1;
  }
  output(`{"url":${quote(url)},"status":${res.status.toString()},"body":${quote(res.body)}}`);
  return 0;
}
