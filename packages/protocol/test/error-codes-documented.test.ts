// Every error code defined in a package's errors.ts must be listed in docs/errors.md.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { globSync, readFileSync } from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../../..')

test('every error code is documented in docs/errors.md', () => {
  const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8')
  const files = globSync('packages/*/src/**/errors.ts', { cwd: root })
  assert.ok(files.length >= 3, 'errors.ts files found')
  const missing: string[] = []
  for (const file of files) {
    const text = readFileSync(path.join(root, file), 'utf8')
    for (const m of text.matchAll(/'((?:PROTO|HUB|AGENT|CLI)_ERR_[A-Z0-9_]+)'/g)) {
      if (!doc.includes('`' + (m[1] ?? '') + '`')) missing.push(`${m[1]} (${file})`)
    }
  }
  assert.deepEqual(missing, [], 'undocumented codes')
})
