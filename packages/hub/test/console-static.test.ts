import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseHubConfig } from '@outpost/hub'
import { CONSOLE_CSP } from '../src/http/security-headers.ts'
import { safeRelative } from '../src/http/console-static.ts'
import { startHub, request } from './support/hub-fixture.ts'
import { rawGet } from './support/console-fixture.ts'

const SECRET = 'top-secret-content-outside-the-console'
const INDEX = '<!doctype html><title>console</title><script type="module" src="/assets/index-abc123.js"></script>'

/** A built console in a temp dir, with a secret next to it and a symlink leading out. */
function consoleDir (t: { after: (f: () => void) => void }): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-web-'))
  t.after(() => fs.rmSync(base, { recursive: true, force: true }))
  const dir = path.join(base, 'dist')
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'index.html'), INDEX)
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body{}')
  fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>')
  fs.writeFileSync(path.join(dir, '.env'), SECRET)
  fs.writeFileSync(path.join(base, 'secret.txt'), SECRET)
  fs.symlinkSync(path.join(base, 'secret.txt'), path.join(dir, 'link.txt'))
  return dir
}

function assertSecurityHeaders (res: { headers: Record<string, unknown> }, what: string): void {
  assert.equal(res.headers['content-security-policy'], CONSOLE_CSP, what)
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what)
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what)
  assert.match(String(res.headers['strict-transport-security']), /^max-age=\d+/, what)
}

test('console: files with their types and caching, index.html for deep links, 404 for missing assets and API paths, all with the CSP', async (t) => {
  const f = await startHub(t, { consoleDir: consoleDir(t) })
  assert.equal(CONSOLE_CSP, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
  const root = await request(f.url, { path: '/' })
  assert.equal(root.status, 200)
  assert.equal(root.text, INDEX)
  assert.equal(root.headers['content-type'], 'text/html; charset=utf-8')
  assert.equal(root.headers['cache-control'], 'no-cache')
  assertSecurityHeaders(root, '/')

  const js = await request(f.url, { path: '/assets/index-abc123.js' })
  assert.equal(js.status, 200)
  assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8')
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable')
  assertSecurityHeaders(js, 'asset')
  assert.equal((await request(f.url, { path: '/assets/index-abc123.css' })).headers['content-type'], 'text/css; charset=utf-8')
  const svg = await request(f.url, { path: '/favicon.svg' })
  assert.equal(svg.headers['content-type'], 'image/svg+xml')
  assert.equal(svg.headers['cache-control'], 'no-cache')

  for (const deep of ['/hosts/abc123', '/audit?actor=x', '/users/alice/edit', '/assets']) {
    const res = await request(f.url, { path: deep })
    assert.equal(res.status, 200, deep)
    assert.equal(res.text, INDEX, deep)
    assertSecurityHeaders(res, deep)
  }
  for (const missing of ['/assets/nope.js', '/assets/', '/api/v1/nope', '/agent/v1/nope', '/healthzz']) {
    const res = await request(f.url, { path: missing })
    assert.equal(res.status, 404, missing)
    assert.equal(res.json?.error?.code, 'HUB_ERR_NOT_FOUND', missing)
    assertSecurityHeaders(res, missing)
  }
  const api = await request(f.url, { path: '/api/v1/hosts', headers: { authorization: `Bearer ${f.adminToken}` } })
  assertSecurityHeaders(api, 'API answers too')
  assert.equal((await request(f.url, { path: '/healthz' })).json.status, 'ok')
})

test('console: path traversal, encoded or not, dot files and symlinks out of the directory are refused', async (t) => {
  const f = await startHub(t, { consoleDir: consoleDir(t) })
  const attempts = [
    '/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/%2E%2E%2Fsecret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%2fsecret.txt', '/..%5csecret.txt', '/%252e%252e%252fsecret.txt', '/.env', '/assets/%2e%2e/.env', '/link.txt',
    '/%00/secret.txt', '/%e0%a4%a', '//secret.txt', '/assets//index-abc123.js'
  ]
  for (const p of attempts) {
    const res = await rawGet(f, p)
    assert.ok(!res.text.includes(SECRET), `${p} leaked the secret`)
    assert.ok(res.status === 404 || res.status === 400 || (res.status === 200 && res.text === INDEX), `${p}: ${res.status}`)
    assertSecurityHeaders(res, p)
  }
  // A symlink out of the directory is no file of the console: the app's index answers (tested above).
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/.env']) {
    assert.equal((await rawGet(f, p)).status, 404, p)
  }
  assert.equal(safeRelative('/a/./b'), null)
  assert.equal(safeRelative('/a%2f..%2f..%2fb'), null)
  assert.equal(safeRelative('/hosts/x'), 'hosts/x')
  assert.equal(safeRelative('/'), '')
})

test('console: without a built console `/` says how to build it; other paths are 404; consoleDir must be absolute', async (t) => {
  const f = await startHub(t)
  const root = await request(f.url, { path: '/' })
  assert.equal(root.status, 200)
  assert.match(root.text, /npm run build:web/)
  assertSecurityHeaders(root, 'not built')
  assert.equal((await request(f.url, { path: '/hosts/x' })).status, 404)
  assert.throws(() => parseHubConfig({ dataDir: '/tmp/x', consoleDir: 'packages/web/dist' }), { code: 'HUB_ERR_CONFIG' })
  assert.equal(parseHubConfig({ dataDir: '/tmp/x' }).consoleDir, null)

  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-web-'))
  t.after(() => fs.rmSync(empty, { recursive: true, force: true }))
  const g = await startHub(t, { consoleDir: empty })
  assert.match((await request(g.url, { path: '/' })).text, /npm run build:web/, 'a directory without index.html counts as not built')
})
