// Editing files through the operator API with a real hub and agent: read, write with the hash
// that was read, backups, kept mode, refused stale writes, and the policy's write limits.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { downloadFile, uploadFile } from '@outpost/testkit'
import { runningAgent } from './support/running-agent.ts'
import { fileTree } from './support/file-tree.ts'

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64')
const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex')

test('read, write with expectSha256, read back: backup kept, mode kept; a stale hash is refused', async (t) => {
  const tree = fileTree(t)
  const file = path.join(tree.root, 'pub/app.conf')
  fs.writeFileSync(file, 'port = 80\n', { mode: 0o640 })
  fs.chmodSync(file, 0o640)
  const { command } = await runningAgent(t, tree.policy())

  const read = await command({ type: 'file-read', path: file })
  assert.equal(read.status, 'completed', JSON.stringify(read))
  const content = JSON.parse(read.stdout)
  assert.equal(Buffer.from(content.contentBase64, 'base64').toString(), 'port = 80\n')
  assert.equal(content.sha256, sha('port = 80\n'))
  assert.equal(content.mode, '0640')

  const write = await command({ type: 'file-write', path: file, contentBase64: b64('port = 8080\n'), expectSha256: content.sha256 })
  assert.equal(write.status, 'completed', JSON.stringify(write))
  assert.deepEqual(JSON.parse(write.stdout), { path: file, size: 12, sha256: sha('port = 8080\n'), backupPath: `${file}.outpost-bak` })
  assert.equal(fs.readFileSync(file, 'utf8'), 'port = 8080\n')
  assert.equal(fs.statSync(file).mode & 0o7777, 0o640, 'mode kept')
  assert.equal(fs.readFileSync(`${file}.outpost-bak`, 'utf8'), 'port = 80\n', 'previous content kept')
  const back = await command({ type: 'file-read', path: file })
  assert.equal(JSON.parse(back.stdout).sha256, sha('port = 8080\n'))

  // Someone else's edit in between: the old hash no longer matches, nothing is written.
  const stale = await command({ type: 'file-write', path: file, contentBase64: b64('port = 1\n'), expectSha256: content.sha256 })
  assert.equal(stale.status, 'failed')
  assert.equal(stale.error?.code, 'AGENT_ERR_FILE_CHANGED')
  assert.equal(fs.readFileSync(file, 'utf8'), 'port = 8080\n')
  assert.equal(fs.readFileSync(`${file}.outpost-bak`, 'utf8'), 'port = 80\n', 'backup untouched by the refused write')
  assert.deepEqual(fs.readdirSync(path.dirname(file)).filter((n) => n.includes('outpost-tmp')), [], 'no temporary file left')

  // null: create only; an existing file is a conflict.
  const exists = await command({ type: 'file-write', path: file, contentBase64: b64('x'), expectSha256: null })
  assert.equal(exists.error?.code, 'AGENT_ERR_FILE_CHANGED')
  const created = await command({ type: 'file-write', path: path.join(tree.root, 'pub/new.txt'), contentBase64: b64('new'), expectSha256: null, mode: '0600' })
  assert.equal(created.status, 'completed', JSON.stringify(created))
  assert.equal(JSON.parse(created.stdout).backupPath, null)
  assert.equal(fs.statSync(path.join(tree.root, 'pub/new.txt')).mode & 0o7777, 0o600)

  // backup: false leaves the old backup alone and makes none.
  const noBackup = await command({ type: 'file-write', path: file, contentBase64: b64('port = 9\n'), backup: false })
  assert.equal(JSON.parse(noBackup.stdout).backupPath, null)
  assert.equal(fs.readFileSync(`${file}.outpost-bak`, 'utf8'), 'port = 80\n')

  // A write through a free symlink edits its target and keeps the link.
  const viaLink = await command({ type: 'file-write', path: path.join(tree.root, 'pub/ok-link'), contentBase64: b64('edited\n') })
  assert.equal(viaLink.status, 'completed', JSON.stringify(viaLink))
  assert.equal(fs.readlinkSync(path.join(tree.root, 'pub/ok-link')), 'file.txt')
  assert.equal(fs.readFileSync(path.join(tree.root, 'pub/file.txt'), 'utf8'), 'edited\n')
})

test('clear codes for a missing file, a directory, and a file too large to view', async (t) => {
  const tree = fileTree(t)
  const big = path.join(tree.root, 'pub/big.bin')
  fs.writeFileSync(big, Buffer.alloc(1024 * 1024 + 1))
  const { command } = await runningAgent(t, tree.policy())
  assert.equal((await command({ type: 'file-read', path: path.join(tree.root, 'pub/nope') })).error?.code, 'AGENT_ERR_NO_SUCH_FILE')
  assert.equal((await command({ type: 'file-read', path: path.join(tree.root, 'pub/a') })).error?.code, 'AGENT_ERR_NOT_A_FILE')
  assert.equal((await command({ type: 'file-read', path: big })).error?.code, 'AGENT_ERR_FILE_TOO_LARGE')
  assert.equal((await command({ type: 'file-list', path: path.join(tree.root, 'pub/file.txt') })).error?.code, 'AGENT_ERR_NOT_A_FILE')
  assert.equal((await command({ type: 'file-write', path: path.join(tree.root, 'pub/a'), contentBase64: '' })).error?.code, 'AGENT_ERR_NOT_A_FILE')
  assert.equal((await command({ type: 'file-write', path: path.join(tree.root, 'no/dir/f'), contentBase64: '' })).error?.code, 'AGENT_ERR_NO_SUCH_FILE')
})

test('a write or upload over maxUploadBytes is denied; without files.write writes are denied and reads work', async (t) => {
  const tree = fileTree(t)
  const target = path.join(tree.root, 'pub/limited.bin')
  const { hub, agentId, command } = await runningAgent(t, tree.policy({ maxUploadBytes: 1000, operations: ['files.read'] }))
  const denied = await command({ type: 'file-write', path: target, contentBase64: b64(Buffer.alloc(10)) })
  assert.equal(denied.status, 'rejected')
  assert.match(denied.error?.message ?? '', /files\.write/)
  const up = await uploadFile(hub.url, hub.adminToken, agentId, target, Buffer.alloc(10))
  assert.equal(up.status, 403)
  assert.equal(up.json.error.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(up.json.error.message, /files\.write/)
  assert.equal((await command({ type: 'file-read', path: path.join(tree.root, 'pub/file.txt') })).status, 'completed')
  assert.equal((await downloadFile(hub.url, hub.adminToken, agentId, path.join(tree.root, 'pub/file.txt'))).body.toString(), 'public\n')
  assert.equal(fs.existsSync(target), false)
})

test('maxUploadBytes bounds writes and uploads', async (t) => {
  const tree = fileTree(t)
  const target = path.join(tree.root, 'pub/limited.bin')
  const { hub, agentId, command } = await runningAgent(t, tree.policy({ maxUploadBytes: 1000 }))
  const write = await command({ type: 'file-write', path: target, contentBase64: b64(Buffer.alloc(1001)) })
  assert.equal(write.error?.code, 'AGENT_ERR_POLICY_DENIED')
  assert.match(write.error?.message ?? '', /maxUploadBytes/)
  const up = await uploadFile(hub.url, hub.adminToken, agentId, target, Buffer.alloc(1001))
  assert.equal(up.status, 403)
  assert.match(up.json.error.message, /maxUploadBytes/)
  assert.equal(fs.existsSync(target), false)
  const ok = await uploadFile(hub.url, hub.adminToken, agentId, target, Buffer.alloc(1000, 7))
  assert.equal(ok.status, 200, ok.body.toString())
  assert.equal(ok.json.size, 1000)
  assert.deepEqual(fs.readFileSync(target), Buffer.alloc(1000, 7))
})
