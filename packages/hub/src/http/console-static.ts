import fs from 'node:fs'
import path from 'node:path'
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { Logger } from 'pino'
import { HubError, HubErrorCode } from '../errors.ts'

/** Paths that belong to the hub's APIs: never answered with the console's `index.html`. */
export const RESERVED_PREFIXES: readonly string[] = ['/api/', '/agent/', '/healthz']

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff'
}

/** Vite names files under `/assets/` by content hash: they never change, so browsers may keep them. */
const IMMUTABLE = 'public, max-age=31536000, immutable'

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Outpost</title></head>
<body><h1>Outpost hub</h1><p>The web console is not built. Run <code>npm run build:web</code> in the Outpost
checkout and restart the hub. The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>
`

/**
 * Serves the built console from `consoleDir`: its files with their content types, `index.html`
 * for every other GET outside the APIs (so deep links like `/hosts/ID` load the app), no
 * directory listings, nothing outside the directory (`..`, encoded or not, dot files and
 * symlinks leading out are refused). With no console, `/` says how to build it.
 */
export function registerConsole (app: FastifyInstance, consoleDir: string | null, log: Logger): void {
  const root = consoleRoot(consoleDir, log)
  app.get('/*', async (request, reply) => {
    const rawPath = (request.url.split('?')[0] ?? '/')
    if (RESERVED_PREFIXES.some((p) => rawPath.startsWith(p) || rawPath === p.replace(/\/$/, ''))) throw notFound()
    if (root === null) {
      if (rawPath !== '/' && rawPath !== '/index.html') throw notFound()
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(NOT_BUILT)
    }
    const rel = safeRelative(rawPath)
    if (rel === null) throw notFound()
    const file = rel === '' ? null : await regularFileIn(root, rel)
    if (file !== null) return sendFile(reply, file.path, file.size, rel.startsWith('assets/') ? IMMUTABLE : 'no-cache')
    // A missing asset is a 404: answering a script request with HTML only hides the problem.
    if (rel.startsWith('assets/')) throw notFound()
    const index = await regularFileIn(root, 'index.html')
    if (index === null) return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT)
    return sendFile(reply, index.path, index.size, 'no-cache')
  })
}

function consoleRoot (consoleDir: string | null, log: Logger): string | null {
  if (consoleDir === null) return null
  try {
    const real = fs.realpathSync(consoleDir)
    if (!fs.statSync(path.join(real, 'index.html')).isFile()) throw new Error('index.html is not a file')
    return real
  } catch (err) {
    log.warn({ err, consoleDir }, 'consoleDir has no index.html: serving the "not built" page')
    return null
  }
}

/**
 * The request path as a path relative to the console root, or null when it is not acceptable:
 * undecodable, a NUL or backslash, an empty, `.` or `..` segment, or a dot file.
 */
export function safeRelative (rawPath: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(rawPath)
  } catch {
    return null // malformed percent-encoding: not a path we serve
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null
  const segments = decoded.slice(1).split('/')
  if (segments.length === 1 && segments[0] === '') return ''
  if (segments.some((s) => s === '' || s.startsWith('.'))) return null
  return segments.join('/')
}

async function regularFileIn (root: string, rel: string): Promise<{ path: string, size: number } | null> {
  const full = path.join(root, rel)
  try {
    // realpath: a symlink inside the directory must not lead out of it.
    const real = await fs.promises.realpath(full)
    if (!real.startsWith(root + path.sep)) return null
    const st = await fs.promises.stat(real)
    return st.isFile() ? { path: real, size: st.size } : null
  } catch (err) {
    if (isMissing(err)) return null
    throw err
  }
}

function sendFile (reply: FastifyReply, file: string, size: number, cacheControl: string): FastifyReply {
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream'
  return reply.type(type).header('cache-control', cacheControl).header('content-length', size).send(fs.createReadStream(file))
}

function isMissing (err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'ENAMETOOLONG'
}

function notFound (): HubError {
  return new HubError(HubErrorCode.NotFound, 'no such route')
}
