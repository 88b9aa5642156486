/**
 * Where to go after login: only a same-origin absolute path is accepted (`/hosts/x?y`), never
 * `//evil.example`, `/\evil`, a scheme, or the login page itself, so `?next=` is no open redirect.
 */
export function safeNext (next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.startsWith('/login')) return '/'
  if (/[\u0000-\u001f\\]/.test(next)) return '/'
  return next
}
