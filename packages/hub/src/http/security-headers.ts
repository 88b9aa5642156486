/**
 * The console's Content-Security-Policy: everything from the hub itself, nothing inline, no
 * plugins, no framing, no `<base>` games. The console is built for it (no inline script or style).
 */
export const CONSOLE_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"
].join('; ')

/** Headers on every answer of the hub (JSON, files, errors and event streams alike). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // The hub only ever speaks HTTPS; browsers ignore this for IP addresses and untrusted certificates.
  'strict-transport-security': 'max-age=31536000',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin'
})
