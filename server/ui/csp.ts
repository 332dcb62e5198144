/**
 * The dashboard's Content-Security-Policy: the gateway's header in web mode, and (but frame-ancestors, which a
 * <meta> cannot carry) the <meta> of renderer/index.html in the desktop window, which loads it from file://.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
