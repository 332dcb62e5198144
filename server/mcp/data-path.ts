// The `path` of the MCP server's read_data: PostgREST's part after /data, which must stay under /data of the gateway
// it names. Anything that could leave it (a dot segment, encoded or not, a scheme, a host, a backslash) is refused.

/** The URL to read, or the reason the path is refused. */
export function dataUrl(gatewayUrl: string, path: string): { url: string } | { refused: string } {
  if (!path.startsWith('/') || path.startsWith('//'))
    return { refused: 'path must start with one "/" and name a table or view, e.g. /products?select=name' };
  if (path.length > 2000) return { refused: 'path is longer than 2,000 characters' };
  if (path.includes('\\') || [...path].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
    return { refused: 'path holds a backslash or a control character' };
  const [route = ''] = path.split('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(route);
  } catch {
    return { refused: 'path is not valid percent-encoding' };
  }
  if (decoded.split('/').some((segment) => segment === '..' || segment === '.'))
    return { refused: 'path may not hold "." or ".." segments: it stays under /data' };
  if (/^[a-z][a-z0-9+.-]*:/i.test(decoded.slice(1)) || decoded.includes('://'))
    return { refused: 'path is a path under /data, not a URL' };
  const base = new URL(gatewayUrl);
  const url = new URL(`/data${path}`, base);
  if (url.origin !== base.origin || !url.pathname.startsWith('/data/'))
    return { refused: 'path leaves /data of the gateway' };
  return { url: url.href };
}
