import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { BUILTIN_PROTECTED_PATHS, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_POLICY, loadPolicy, parseAgentConfig } from '../src/index.ts'

function tmpDir (t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-policy-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

function write (dir: string, content: string, mode = 0o600): string {
  const file = path.join(dir, 'policy.json')
  fs.writeFileSync(file, content, { mode })
  fs.chmodSync(file, mode)
  return file
}

function policyError (fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (err: { code?: string, message?: string }) => {
    assert.equal(err.code, 'AGENT_ERR_POLICY')
    assert.match(err.message ?? '', re)
    return true
  })
}

test('no policy file gives the defaults: exec any, every operation, 100 MiB, secrets protected', () => {
  const p = loadPolicy(null)
  assert.equal(p, DEFAULT_POLICY)
  assert.equal(p.exec, 'any')
  assert.deepEqual([...p.operations].sort(), ['exec', 'files.read', 'files.write', 'package', 'power', 'process', 'service', 'terminal'])
  assert.equal(p.maxUploadBytes, 100 * 1024 * 1024)
  for (const g of ['/etc/shadow', '/etc/gshadow', '/etc/ssh/ssh_host_*_key', '/root/.ssh/**', '/home/*/.ssh/**', '/etc/ssl/private/**']) assert.ok(p.protectedPaths.includes(g), g)
  assert.equal(parseAgentConfig({ stateDir: '/x' }).policyFile, null)
})

test('a missing file is the defaults only when it is the default location', (t) => {
  const dir = tmpDir(t)
  const missing = path.join(dir, 'nope.json')
  assert.equal(loadPolicy(missing, { optional: true }), DEFAULT_POLICY)
  policyError(() => loadPolicy(missing), /cannot open the policy file/)
})

test('a valid file is merged over the defaults and its protected paths add to the built-in ones', (t) => {
  const file = write(tmpDir(t), JSON.stringify({ protectedPaths: ['/srv/secret/**'], exec: { allow: ['systemctl status *'] }, operations: ['exec'], maxUploadBytes: 1024 }))
  const p = loadPolicy(file)
  assert.deepEqual(p.protectedPaths, [...BUILTIN_PROTECTED_PATHS, '/srv/secret/**'])
  assert.deepEqual(p.exec, { allow: ['systemctl status *'] })
  assert.deepEqual(p.operations, ['exec'])
  assert.equal(p.maxUploadBytes, 1024)
  assert.ok(Object.isFrozen(p) && Object.isFrozen(p.protectedPaths))
  const partial = loadPolicy(write(tmpDir(t), '{"exec":"deny"}'))
  assert.equal(partial.exec, 'deny')
  assert.equal(partial.maxUploadBytes, DEFAULT_MAX_UPLOAD_BYTES)
})

test('unknown keys, bad values and bad JSON stop the agent with AGENT_ERR_POLICY', (t) => {
  const dir = tmpDir(t)
  policyError(() => loadPolicy(write(dir, '{"exec":"any","protectedPath":["/x"]}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"exec":"sometimes"}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"exec":{"allow":["ls"],"deny":["rm"]}}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"operations":["exec","format-disk"]}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"protectedPaths":["relative/path"]}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"protectedPaths":"/etc/shadow"}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"maxUploadBytes":-1}')), /invalid/)
  policyError(() => loadPolicy(write(dir, '{"exec":"any",')), /not valid JSON/)
  policyError(() => loadPolicy(write(dir, '[]')), /JSON object/)
})

test('a policy file writable by group or others is refused', (t) => {
  const dir = tmpDir(t)
  policyError(() => loadPolicy(write(dir, '{}', 0o620)), /writable by group or others/)
  policyError(() => loadPolicy(write(dir, '{}', 0o602)), /writable by group or others/)
  policyError(() => loadPolicy(dir), /not a regular file/)
})

test('as root, a policy file not owned by root is refused', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, (t) => {
  const file = write(tmpDir(t), '{}')
  fs.chownSync(file, 65534, 65534)
  policyError(() => loadPolicy(file), /not root/)
})
