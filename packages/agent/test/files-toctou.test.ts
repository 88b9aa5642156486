// The check-then-open race: a path checked as free and then swapped (a directory replaced by a
// link into a protected place, or the file itself by a symlink) is refused at open, because the
// agent opens without following a final link and re-checks the file the kernel actually opened.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { createPathGuard } from '../src/index.ts'
import { openChecked } from '../src/operations/files/file-guard.ts'
import { fileTree } from './support/file-tree.ts'

test('a directory swapped for a link into a protected path after the check is refused at open', async (t) => {
  const { root } = fileTree(t)
  const guard = createPathGuard([`${root}/secret/**`])
  fs.mkdirSync(path.join(root, 'pub/dir'))
  fs.writeFileSync(path.join(root, 'pub/dir/key.txt'), 'harmless')
  const p = path.join(root, 'pub/dir/key.txt')
  const v = await guard.check(p)
  assert.equal(v.protected, false)
  // The race: between check and open, pub/dir becomes a link to secret/.
  fs.renameSync(path.join(root, 'pub/dir'), path.join(root, 'pub/dir-old'))
  fs.symlinkSync('../secret', path.join(root, 'pub/dir'))
  const opened = await openChecked(guard, p, v.real, fs.constants.O_RDONLY)
  assert.ok('denied' in opened, 'refused')
  assert.match(opened.denied.message, /protected by the local policy/)

  // Without the swap the same call opens the file.
  fs.rmSync(path.join(root, 'pub/dir'))
  fs.renameSync(path.join(root, 'pub/dir-old'), path.join(root, 'pub/dir'))
  const ok = await openChecked(guard, p, v.real, fs.constants.O_RDONLY)
  assert.ok('handle' in ok)
  await ok.handle.close()
})

test('a file swapped for a symlink after the check is refused at open', async (t) => {
  const { root, secretFile } = fileTree(t)
  const guard = createPathGuard([`${root}/secret/**`])
  const p = path.join(root, 'pub/file.txt')
  const v = await guard.check(p)
  assert.equal(v.protected, false)
  fs.rmSync(p)
  fs.symlinkSync(secretFile, p)
  const opened = await openChecked(guard, p, v.real, fs.constants.O_RDONLY)
  assert.ok('denied' in opened)
})
