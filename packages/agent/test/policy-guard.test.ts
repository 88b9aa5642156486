import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createPathGuard, DEFAULT_POLICY, MAX_SYMLINKS, type PathGuard } from '../src/index.ts'

/**
 * A real tree: `secret/` (protected by glob), `state/` (protected as a literal dir), `pub/`
 * (free) and links between them.
 */
function tree (t: { after: (fn: () => void) => void }): { root: string, guard: PathGuard } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-guard-')))
  t.after(() => fs.rmSync(root, { recursive: true, force: true }))
  for (const d of ['secret/keys', 'state', 'pub/a/b', 'home/u/.ssh']) fs.mkdirSync(path.join(root, d), { recursive: true })
  fs.writeFileSync(path.join(root, 'secret/keys/id'), 'k')
  fs.writeFileSync(path.join(root, 'pub/file'), 'p')
  fs.writeFileSync(path.join(root, 'home/u/.ssh/.hidden'), 'h')
  const guard = createPathGuard([...DEFAULT_POLICY.protectedPaths, `${root}/secret/**`, `${root}/home/*/.ssh/**`], [path.join(root, 'state')])
  return { root, guard }
}

test('absolute and relative paths are matched after resolution', async (t) => {
  const { root, guard } = tree(t)
  assert.equal(await guard.isProtected(`${root}/secret/keys/id`), true)
  assert.equal(await guard.isProtected(`${root}/secret`), true, 'dir/** covers the dir itself')
  assert.equal(await guard.isProtected('keys/id', `${root}/secret`), true)
  assert.equal(await guard.isProtected('./secret/./keys//id', root), true)
  assert.equal(await guard.isProtected(`${root}/state/agent-key.pem`), true)
  assert.equal(await guard.isProtected(`${root}/pub/file`), false)
  assert.equal(await guard.isProtected('file', `${root}/pub`), false)
  assert.equal(await guard.isProtected(`${root}/secretive`), false)
})

test('dot files are covered by * and **', async (t) => {
  const { root, guard } = tree(t)
  assert.equal(await guard.isProtected(`${root}/home/u/.ssh/.hidden`), true)
  assert.equal(await guard.isProtected('/root/.ssh/.authorized_keys_backup'), true)
  assert.equal(await guard.isProtected('/home/.x/.ssh/id_ed25519'), true)
})

test('.. chains are resolved, also from a relative start and past the root', async (t) => {
  const { root, guard } = tree(t)
  assert.equal(await guard.isProtected(`${root}/pub/a/b/../../../secret/keys/id`), true)
  assert.equal(await guard.isProtected('../../../secret/keys', `${root}/pub/a/b`), true)
  assert.equal(await guard.isProtected('../../../../../../../../../../etc/shadow', `${root}/pub`), true)
  assert.equal(await guard.isProtected(`${root}/nonexistent/../secret/keys/id`), true)
  assert.equal(await guard.isProtected(`${root}/secret/../pub/file`), false)
})

test('symlinks and symlink chains into protected paths are followed', async (t) => {
  const { root, guard } = tree(t)
  fs.symlinkSync(`${root}/secret/keys/id`, `${root}/pub/direct`)
  fs.symlinkSync('../secret', `${root}/pub/rel`)
  fs.symlinkSync('rel', `${root}/pub/chain1`)
  fs.symlinkSync(`${root}/pub/chain1`, `${root}/pub/chain2`)
  fs.symlinkSync('/etc/shadow', `${root}/pub/shadow`)
  fs.symlinkSync(`${root}/state`, `${root}/pub/st`)
  assert.equal(await guard.isProtected(`${root}/pub/direct`), true)
  assert.equal(await guard.isProtected(`${root}/pub/rel/keys/id`), true)
  assert.equal(await guard.isProtected('chain2/keys/id', `${root}/pub`), true)
  assert.equal(await guard.isProtected(`${root}/pub/shadow`), true)
  assert.equal(await guard.isProtected(`${root}/pub/st/spool`), true)
  // `..` after a link goes up from the link's target, as the kernel does.
  fs.symlinkSync(`${root}/secret/keys`, `${root}/pub/a/k`)
  assert.equal(await guard.isProtected(`${root}/pub/a/k/../keys/id`), true)
  const v = await guard.check(`${root}/pub/chain2/keys`)
  assert.equal(v.real, `${root}/secret/keys`)
  assert.equal(v.rule, `${root}/secret/**`)
})

test('a symlinked cwd is resolved before relative paths are matched', async (t) => {
  const { root, guard } = tree(t)
  fs.symlinkSync(`${root}/secret`, `${root}/pub/door`)
  assert.equal(await guard.isProtected('keys/id', `${root}/pub/door`), true)
})

test('a symlink loop or a too-long chain is denied, never allowed', async (t) => {
  const { root, guard } = tree(t)
  fs.symlinkSync('loop-b', `${root}/pub/loop-a`)
  fs.symlinkSync('loop-a', `${root}/pub/loop-b`)
  fs.symlinkSync('self', `${root}/pub/self`)
  const v = await guard.check(`${root}/pub/loop-a/x`)
  assert.equal(v.protected, true)
  assert.match(v.rule ?? '', /ELOOP/)
  assert.equal(await guard.isProtected(`${root}/pub/self`), true)
  let prev = `${root}/pub/file`
  for (let i = 0; i <= MAX_SYMLINKS; i++) {
    const link = `${root}/pub/l${i}`
    fs.symlinkSync(prev, link)
    prev = link
  }
  assert.equal(await guard.isProtected(prev), true)
  assert.equal(await guard.isProtected(`${root}/pub/l${MAX_SYMLINKS - 2}`), false)
})

test('/proc/*/root, /proc/self/fd and /dev/fd tricks reach the real target', async (t) => {
  const { root, guard } = tree(t)
  assert.equal(await guard.isProtected('/proc/self/root/etc/shadow'), true)
  assert.equal(await guard.isProtected('/proc/thread-self/root/etc/shadow'), true)
  assert.equal(await guard.isProtected(`/proc/${process.pid}/root/etc/shadow`), true)
  assert.equal(await guard.isProtected('/proc/1/root/etc/shadow'), true)
  assert.equal(await guard.isProtected(`/proc/self/root${root}/secret/keys/id`), true)
  assert.equal(await guard.isProtected(`/proc/self/task/${process.pid}/root${root}/state`), true)
  assert.equal(await guard.isProtected('root/etc/gshadow', '/proc/self'), true)
  assert.equal(await guard.isProtected(`/proc/self/root${root}/pub/file`), false)
  const fd = fs.openSync(`${root}/secret/keys/id`, 'r')
  t.after(() => fs.closeSync(fd))
  assert.equal(await guard.isProtected(`/proc/self/fd/${fd}`), true)
  assert.equal(await guard.isProtected(`/dev/fd/${fd}`), true)
  process.chdir(root)
  t.after(() => process.chdir(os.tmpdir()))
  assert.equal(await guard.isProtected('/proc/self/cwd/secret/keys/id'), true)
})

test('the default globs protect shadow, host keys and private TLS keys, not their public halves', async () => {
  const guard = createPathGuard(DEFAULT_POLICY.protectedPaths)
  for (const p of ['/etc/shadow', '/etc/gshadow', '/etc/ssh/ssh_host_ed25519_key', '/etc/ssl/private/site.pem', '/root/.ssh/id_rsa', '/home/alice/.ssh/authorized_keys']) {
    assert.equal(await guard.isProtected(p), true, p)
  }
  for (const p of ['/etc/passwd', '/etc/ssh/ssh_host_ed25519_key.pub', '/etc/ssl/certs', '/home/alice/notes']) {
    assert.equal(await guard.isProtected(p), false, p)
  }
})
