// The HTTP calls functions make (the SDK's httpRequest): made by the gateway's thread on a worker's behalf, within the
// function's allowlist, its deadline and a response size limit. No redirects are followed.
import { request } from 'undici';
import type { HttpAnswer, HttpRequestMessage } from './worker-protocol.js';

/** The largest response body a function receives. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/** Whether a manifest's allowed_hosts lets a function reach url: "host" allows any port, "host:port" that port. */
export function hostAllowed(url: URL, allowedHosts: string[]): boolean {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowedHosts.some((entry) => entry === url.hostname || entry === `${url.hostname}:${port}`);
}

const encoder = new TextEncoder();
export const failed = (seq: number, message: string): HttpAnswer => ({ seq, status: 0, body: encoder.encode(message) });

/** Makes one request for a function, within its allowlist, its deadline and the response size limit. */
export async function answerHttp(req: HttpRequestMessage, allowedHosts: string[]): Promise<HttpAnswer> {
  const { seq } = req;
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return failed(seq, `not a URL: ${req.url.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { seq, denied: `only http and https URLs may be requested, not ${url.protocol}` };
  if (!hostAllowed(url, allowedHosts))
    return { seq, denied: `${url.host} is not in the function's allowed_hosts (${allowedHosts.join(', ')})` };
  const method = req.method.toUpperCase();
  if (!METHODS.has(method)) return failed(seq, `unsupported method ${req.method.slice(0, 20)}`);
  const deadline = AbortSignal.timeout(Math.max(1, Math.ceil(req.timeoutMs)));
  try {
    const res = await request(url, {
      method: method as 'GET',
      body: req.body.byteLength ? req.body : undefined,
      signal: deadline,
      headers: { 'user-agent': 'apprun-function' },
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        res.body.destroy();
        return failed(seq, `the response is larger than ${MAX_RESPONSE_BYTES} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { seq, status: res.statusCode, body: new Uint8Array(Buffer.concat(chunks)) };
  } catch (err) {
    if (deadline.aborted) return { seq, expired: true };
    const e = err as Error & { code?: string; cause?: { code?: string } };
    return failed(seq, `request to ${url.host} failed: ${e.cause?.code ?? e.code ?? e.message}`);
  }
}
