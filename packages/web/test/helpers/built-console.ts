import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

/** The web package and its build output. */
export const WEB_DIR = path.resolve(import.meta.dirname, '../..')
export const DIST_DIR = path.join(WEB_DIR, 'dist')

function newestMtime (dir: string): number {
  let max = 0
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) max = Math.max(max, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs)
  }
  return max
}

/**
 * Builds the console with Vite unless `dist/` is newer than every source file, so the tests
 * always look at what ships. Returns the dist directory.
 */
export function ensureBuilt (): string {
  const index = path.join(DIST_DIR, 'index.html')
  const sources = Math.max(newestMtime(path.join(WEB_DIR, 'src')), fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs, fs.statSync(path.join(WEB_DIR, 'vite.config.ts')).mtimeMs)
  if (fs.existsSync(index) && fs.statSync(index).mtimeMs >= sources) return DIST_DIR
  const vite = path.resolve(WEB_DIR, '../../node_modules/vite/bin/vite.js')
  execFileSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: WEB_DIR, stdio: 'pipe', timeout: 120_000 })
  return DIST_DIR
}

/** The script and stylesheet files `dist/index.html` loads. */
export function entryAssets (dist: string): { scripts: string[], styles: string[] } {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8')
  const scripts = [...html.matchAll(/<script[^>]*\bsrc="\/([^"]+)"/g)].map(m => m[1] ?? '')
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/([^"]+)"/g)].map(m => m[1] ?? '')
  const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="\/([^"]+)"/g)].map(m => m[1] ?? '')
  return { scripts: [...scripts, ...preloads], styles }
}
