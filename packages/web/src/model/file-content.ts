/** Decodes base64 into bytes. */
export function base64ToBytes (b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** Encodes bytes as base64 (in slices, so large files do not overflow the call stack). */
export function bytesToBase64 (bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

/**
 * The bytes as text when they are UTF-8 without NUL bytes (what an editor can show and save back
 * unchanged), or null for binary content.
 */
export function bytesAsText (bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return null
  }
}

/** Text as UTF-8 base64, for `file-write`. */
export function textToBase64 (text: string): string {
  return bytesToBase64(new TextEncoder().encode(text))
}

/** The parent directory of an absolute path (`/` stays `/`). */
export function parentDir (p: string): string {
  const i = p.replace(/\/+$/, '').lastIndexOf('/')
  return i <= 0 ? '/' : p.slice(0, i)
}

/** `dir` joined with one entry name. */
export function joinPath (dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`
}

/** Breadcrumb steps of an absolute path: `/`, `/etc`, `/etc/ssh`, each with its label. */
export function breadcrumbs (p: string): Array<{ label: string, path: string }> {
  const parts = p.split('/').filter(s => s !== '')
  const out = [{ label: '/', path: '/' }]
  let cur = ''
  for (const part of parts) {
    cur += `/${part}`
    out.push({ label: part, path: cur })
  }
  return out
}
