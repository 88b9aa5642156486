import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { gzipSync } from 'node:zlib'
import { ensureBuilt, entryAssets } from './helpers/built-console.ts'

/** First load on a phone: at most this much gzip-compressed JavaScript. */
const BUDGET_BYTES = 150 * 1024

/** Every JS file the first load fetches: the entry scripts and their static imports. */
function firstLoadScripts (dist: string): string[] {
  const seen = new Set<string>()
  const queue = [...entryAssets(dist).scripts]
  while (queue.length > 0) {
    const rel = queue.shift() ?? ''
    if (seen.has(rel)) continue
    seen.add(rel)
    const code = fs.readFileSync(path.join(dist, rel), 'utf8')
    // Static imports between chunks (`import{a}from"./x.js"` or `from"/assets/x.js"`); dynamic ones load later.
    for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[^'"()]*?from\s*)?["']\.?\/?((?:assets\/)?[^"']+\.js)["']/g)) {
      const dep = m[1] ?? ''
      queue.push(dep.startsWith('assets/') ? dep : path.posix.join(path.posix.dirname(rel), dep))
    }
  }
  return [...seen]
}

test('the console\'s first load stays within 150 KB of gzip JavaScript', () => {
  const dist = ensureBuilt()
  const files = firstLoadScripts(dist)
  assert.ok(files.length > 0, 'index.html loads no script')
  const total = files.reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length, 0)
  assert.ok(total <= BUDGET_BYTES, `first-load JS is ${total} gzip bytes (budget ${BUDGET_BYTES}): ${files.join(', ')}`)
})

test('the built console has no eval or new Function (it runs without \'unsafe-eval\')', () => {
  const dist = ensureBuilt()
  const all = fs.readdirSync(path.join(dist, 'assets')).filter(f => f.endsWith('.js'))
  assert.ok(all.length > 0)
  for (const f of all) {
    const code = fs.readFileSync(path.join(dist, 'assets', f), 'utf8')
    assert.doesNotMatch(code, /\beval\s*\(/, `${f} calls eval`)
    assert.doesNotMatch(code, /\bnew\s+Function\s*\(/, `${f} uses new Function`)
    assert.doesNotMatch(code, /\bFunction\s*\(\s*["'`]/, `${f} builds a function from a string`)
  }
})

test('index.html has no inline script or inline style (CSP script-src/style-src \'self\')', () => {
  const dist = ensureBuilt()
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8')
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
    assert.match(m[1] ?? '', /\bsrc="\//, 'every script has a same-origin src')
    assert.equal((m[2] ?? '').trim(), '', 'no inline script body')
  }
  assert.doesNotMatch(html, /<style\b/, 'no <style> element')
  assert.doesNotMatch(html, /\sstyle="/, 'no style attribute')
  assert.doesNotMatch(html, /\son[a-z]+="/, 'no inline event handler')
})
