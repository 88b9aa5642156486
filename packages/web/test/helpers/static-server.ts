import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

/** The policy the hub is to serve the console under; the tests load the console with it on. */
export const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.html': 'text/html; charset=utf-8' }

/**
 * A tiny static server for the pure-client checks (nothing under `/api` exists here: it answers
 * 404, as a hub without the console API would). Serves `index.html` for any other unknown path.
 */
export async function serveDist (dist: string): Promise<{ url: string, close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    res.setHeader('content-security-policy', CONSOLE_CSP)
    if (p.startsWith('/api/')) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not here'); return }
    const file = path.join(dist, path.normalize(p).replace(/^(\.\.[/\\])+/, ''))
    const target = file.startsWith(dist) && fs.existsSync(file) && fs.statSync(file).isFile() ? file : path.join(dist, 'index.html')
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream' })
    fs.createReadStream(target).pipe(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>(resolve => { server.closeAllConnections(); server.close(() => resolve()) }) }
}
