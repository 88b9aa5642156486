// Path traversal through the whole stack (operator API → hub → real agent → real file tree):
// every way of naming a protected file or directory is refused for every file operation, with
// AGENT_ERR_POLICY_DENIED reaching the operator and the hub's audit, and nothing is touched.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { api, downloadFile, uploadFile } from '@outpost/testkit'
import { runningAgent } from './support/running-agent.ts'
import { fileTree } from './support/file-tree.ts'

test('every name of a protected path is denied for list, stat, read, write, download and upload', async (t) => {
  const tree = fileTree(t)
  const { root } = tree
  const { hub, agentId, command, logs } = await runningAgent(t, tree.policy())
  const files = [
    `${root}/secret/key.txt`,
    `${root}/pub/../secret/key.txt`,
    `${root}/pub/a/b/../../../secret/./key.txt`,
    `${root}/pub/to-secret/key.txt`,
    `${root}/pub/chain1`,
    `${root}/pub/abs-link`,
    `${root}/pub/a/up/secret/key.txt`,
    `${root}/pub/to-secret/../secret/key.txt`,
    `/proc/self/root${root}/secret/key.txt`,
    `/proc/self/root/proc/self/root${root}/pub/to-secret/key.txt`,
    `${root}/pub/loop1`,
    `${root}/pub/loop1/x`,
    `${root}/secret/new-file`
  ]
  const dirs = [`${root}/secret`, `${root}/pub/to-secret`, `${root}/pub/a/up/secret`, `/proc/self/root${root}/secret/sub`, `${root}/pub/to-secret/sub/..`]
  const denied: string[] = []
  const expectDenied = (what: string, r: { status: string, error: { code: string } | null }): void => {
    assert.equal(r.status, 'rejected', `${what}: ${JSON.stringify(r)}`)
    assert.equal(r.error?.code, 'AGENT_ERR_POLICY_DENIED', what)
  }
  for (const p of dirs) {
    const r = await command({ type: 'file-list', path: p })
    expectDenied(`list ${p}`, r)
    denied.push(r.id)
    expectDenied(`stat ${p}`, await command({ type: 'file-stat', path: p }))
  }
  for (const p of files) {
    expectDenied(`stat ${p}`, await command({ type: 'file-stat', path: p }))
    expectDenied(`read ${p}`, await command({ type: 'file-read', path: p }))
    const w = await command({ type: 'file-write', path: p, contentBase64: Buffer.from('pwned').toString('base64') })
    expectDenied(`write ${p}`, w)
    denied.push(w.id)
    const down = await downloadFile(hub.url, hub.adminToken, agentId, p)
    assert.equal(down.status, 403, `download ${p}: ${down.body.toString()}`)
    assert.equal(down.json?.error?.code, 'AGENT_ERR_POLICY_DENIED', `download ${p}`)
    const up = await uploadFile(hub.url, hub.adminToken, agentId, p, Buffer.from('pwned'))
    assert.equal(up.status, 403, `upload ${p}: ${up.body.toString()}`)
    assert.equal(up.json?.error?.code, 'AGENT_ERR_POLICY_DENIED', `upload ${p}`)
  }
  // Nothing changed in the protected directory: no new file, no temporary file, no backup.
  assert.equal(fs.readFileSync(tree.secretFile, 'utf8'), tree.secretContent)
  assert.deepEqual(fs.readdirSync(path.join(root, 'secret')).sort(), ['key.txt', 'sub'])

  // Audited on both sides: the hub's command results and file transfer records, the agent's log.
  for (const id of denied) {
    const audit = await api(hub.url, hub.adminToken, `/audit?action=command.result&target=command:${id}`)
    assert.equal(audit.json[0]?.result, 'rejected', id)
    assert.equal(audit.json[0]?.detail.code, 'AGENT_ERR_POLICY_DENIED')
    assert.ok(logs.some((l) => l.audit === 'policy-denied' && l.instructionId === id), `agent audit line for ${id}`)
  }
  for (const action of ['file.download', 'file.upload']) {
    const audit = await api(hub.url, hub.adminToken, `/audit?action=${action}&target=host:${agentId}`)
    assert.equal(audit.status, 200, audit.text)
    assert.equal(audit.json.length, files.length, action)
    for (const e of audit.json) assert.equal(e.result, 'AGENT_ERR_POLICY_DENIED')
    assert.deepEqual(new Set(audit.json.map((e: { detail: { path: string } }) => e.detail.path)), new Set(files))
  }
})

test('a listing marks protected entries and reveals nothing of them; free paths through links work', async (t) => {
  const tree = fileTree(t)
  const { root } = tree
  const { command } = await runningAgent(t, tree.policy())
  const pub = await command({ type: 'file-list', path: `${root}/pub` })
  assert.equal(pub.status, 'completed', JSON.stringify(pub))
  const entries = new Map((JSON.parse(pub.stdout).entries as Array<{ name: string, protected: boolean, size: number, target?: string, type: string }>).map((e) => [e.name, e]))
  for (const name of ['to-secret', 'chain1', 'chain2', 'chain3', 'abs-link', 'loop1', 'loop2']) {
    const e = entries.get(name)
    assert.equal(e?.protected, true, name)
    assert.equal(e?.size, 0, name)
    assert.equal(e?.target, undefined, `${name} shows no target`)
  }
  assert.deepEqual(entries.get('ok-link'), { ...entries.get('ok-link'), protected: false, type: 'link', target: 'file.txt' })
  assert.equal(entries.get('file.txt')?.protected, false)
  assert.equal(entries.get('file.txt')?.size, 7)
  const top = await command({ type: 'file-list', path: root })
  assert.equal(JSON.parse(top.stdout).entries.find((e: { name: string }) => e.name === 'secret').protected, true)

  const read = await command({ type: 'file-read', path: `${root}/pub/a/up/pub/ok-link` })
  assert.equal(read.status, 'completed', JSON.stringify(read))
  assert.equal(Buffer.from(JSON.parse(read.stdout).contentBase64, 'base64').toString(), 'public\n')
  const stat = await command({ type: 'file-stat', path: `${root}/pub/ok-link` })
  assert.equal(JSON.parse(stat.stdout).type, 'link')
  assert.equal(JSON.parse(stat.stdout).realPath, `${root}/pub/file.txt`)
})
