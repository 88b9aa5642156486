// Issue 5's chain in real network namespaces: hub — R1 — R2 — R3 — LAN host, each machine
// reaching only its neighbours. Real `outpost` processes; the operator works from the test
// process through a portal into the hub's namespace. Needs root and iproute2.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { api, chain, createNetnsLab, downloadFile, tcpProbe, uploadFile, type TestHub } from '@outpost/testkit'
import { join } from './support/terminal-fixture.ts'
import {
  assertDeliveredOnce, command, firstReportReceivedAfter, logsOf, reportAfter, seconds, stages, startNetnsAgent, startNetnsHub, tempDir, until
} from './support/netns-outpost.ts'

const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex')
const b64 = (s: string): string => Buffer.from(s).toString('base64')
const quoted = (ip: string): string => ip.replaceAll('.', '\\.')

test('a LAN host three relays deep enrolls, runs exec, a terminal and file operations, and loses no report when the middle relay dies', { timeout: 85_000 }, async (t) => {
  const mark = stages(t)
  const lab = createNetnsLab({ prefix: 'opnc' })
  t.after(() => lab.cleanup())
  const c = chain(lab, { relays: ['r1', 'r2', 'r3'], lan: ['pc'] })
  const [h1, h2, h3] = c.relays
  const pc = c.lan.pc
  assert.ok(h1 !== undefined && h2 !== undefined && h3 !== undefined && pc !== undefined)
  const hub = await startNetnsHub(t, lab, c.hub.ns, c.hubAddress, { enrollTokens: 4 })
  const hubPort = Number(new URL(hub.url).port)
  mark('hub')

  const r1 = await startNetnsAgent(t, lab, hub, { ns: h1.ns, name: 'r1', relayListen: h1.down.address })
  const r2 = await startNetnsAgent(t, lab, hub, { ns: h2.ns, name: 'r2', relayListen: h2.down.address, upstreams: [r1.relayUrl!] })
  const r3 = await startNetnsAgent(t, lab, hub, { ns: h3.ns, name: 'r3', relayListen: h3.down.address, upstreams: [r2.relayUrl!] })
  mark('relays')
  const relayPort = (u: string | undefined): number => Number(u?.split(':').at(-1))

  // Each machine reaches only its neighbours: the LAN host neither the hub nor R1 nor R2.
  const [toHub, toR1, toR2, r3ToHub, toR3] = await Promise.all([
    tcpProbe(lab, pc.ns, c.hubAddress, hubPort),
    tcpProbe(lab, pc.ns, h1.down.address, relayPort(r1.relayUrl)),
    tcpProbe(lab, pc.ns, h2.down.address, relayPort(r2.relayUrl)),
    tcpProbe(lab, h3.ns, c.hubAddress, hubPort),
    tcpProbe(lab, pc.ns, h3.down.address, relayPort(r3.relayUrl))
  ])
  assert.deepEqual(toHub, { ok: false, code: 'ENETUNREACH' }, 'the LAN host reaches the hub')
  assert.deepEqual(toR1, { ok: false, code: 'ENETUNREACH' }, 'the LAN host reaches R1')
  assert.deepEqual(toR2, { ok: false, code: 'ENETUNREACH' }, 'the LAN host reaches R2')
  assert.deepEqual(r3ToHub, { ok: false, code: 'ENETUNREACH' }, 'R3 reaches the hub')
  assert.deepEqual(toR3, { ok: true }, 'the probe itself works: the LAN host reaches R3')

  const leaf = await startNetnsAgent(t, lab, hub, { ns: pc.ns, name: 'pc', upstreams: [r3.relayUrl!] })
  await reportAfter(hub, leaf.agentId, 0, 'the LAN host')
  // Its CONNECTs went through R3, then R2 (as R3), then R1 (as R2): each hop logged it.
  for (const [relay, from] of [[r3, leaf], [r2, r3], [r1, r2]] as const) {
    assert.ok(logsOf([relay], (l) => l.msg === 'relaying' && l.agentId === from.agentId).length > 0, `${relay.name} relayed for ${from.name}`)
  }

  mark('lan host')
  // exec: the command runs in the LAN host's namespace.
  const run = await command(hub, leaf.agentId, { type: 'exec', argv: ['ip', '-4', '-o', 'addr', 'show'] })
  assert.equal(run.status, 'completed', JSON.stringify(run))
  assert.match(run.stdout, new RegExp(`inet ${quoted(pc.lan.address)}/24`))
  assert.doesNotMatch(run.stdout, new RegExp(`inet ${quoted(h3.down.address)}/`))

  mark('exec')
  // A terminal: type a command, read its output, exit.
  const created = await api(hub.api, hub.token, `/hosts/${leaf.agentId}/sessions`, { method: 'POST', body: { kind: 'terminal', cols: 80, rows: 24 } })
  assert.equal(created.status, 201, created.text)
  const term = await join({ url: hub.api } as TestHub, created.json.id, { bearer: hub.token })
  await term.waitControl('ready')
  term.type('echo chained-$((6*7)) && ip -4 -o addr show\r')
  await term.waitFor('chained-42')
  await term.waitFor(pc.lan.address, 'the LAN address in the shell\'s output')
  term.type('exit 5\r')
  assert.equal((await term.waitControl('exit')).code, 5)
  assert.equal(await term.closed, 1000)

  mark('terminal')
  // Files: list, read, write with the hash that was read, download, upload.
  const dir = tempDir(t, 'outpost-netns-files-')
  const conf = path.join(dir, 'app.conf')
  fs.writeFileSync(conf, 'port = 80\n')
  const list = await command(hub, leaf.agentId, { type: 'file-list', path: dir })
  assert.equal(list.status, 'completed', JSON.stringify(list))
  assert.match(list.stdout, /"app\.conf"/)
  const read = await command(hub, leaf.agentId, { type: 'file-read', path: conf })
  assert.equal(read.status, 'completed', JSON.stringify(read))
  const content = JSON.parse(read.stdout) as { contentBase64: string, sha256: string }
  assert.equal(Buffer.from(content.contentBase64, 'base64').toString(), 'port = 80\n')
  assert.equal(content.sha256, sha('port = 80\n'))
  const write = await command(hub, leaf.agentId, { type: 'file-write', path: conf, contentBase64: b64('port = 8080\n'), expectSha256: content.sha256 })
  assert.equal(write.status, 'completed', JSON.stringify(write))
  assert.equal(JSON.parse(write.stdout).sha256, sha('port = 8080\n'))
  assert.equal(fs.readFileSync(conf, 'utf8'), 'port = 8080\n')
  const stale = await command(hub, leaf.agentId, { type: 'file-write', path: conf, contentBase64: b64('port = 1\n'), expectSha256: content.sha256 })
  assert.equal(stale.error?.code, 'AGENT_ERR_FILE_CHANGED')

  const blob = randomBytes(3 * 1024 * 1024 + 5)
  fs.writeFileSync(path.join(dir, 'blob.bin'), blob)
  const down = await downloadFile(hub.api, hub.token, leaf.agentId, path.join(dir, 'blob.bin'), { keepBody: false })
  assert.equal(down.status, 200)
  assert.equal(down.size, blob.length)
  assert.equal(down.sha256, sha(blob))
  const payload = randomBytes(2 * 1024 * 1024 + 3)
  const up = await uploadFile(hub.api, hub.token, leaf.agentId, path.join(dir, 'up.bin'), payload)
  assert.equal(up.status, 200, up.body.toString())
  assert.equal(up.json.sha256, sha(payload))
  assert.equal(sha(fs.readFileSync(path.join(dir, 'up.bin'))), sha(payload))

  mark('files')
  // R2 dies: the LAN host (and R3) keep reporting into their spools; R2 comes back on the same
  // address and everything held arrives.
  const killedAt = await r2.kill()
  await until(() => leaf.proc.logs.some((l) => String(l.msg).startsWith('sending reports failed') && Number(l.time) > killedAt && Number(l.pending) >= 2),
    'the LAN host to spool at least two reports it cannot send', 30_000)
  await r2.restart()
  const listening = Number((await r2.proc.waitForLog((l) => l.msg === 'relay listening')).time)
  await reportAfter(hub, leaf.agentId, listening, 'the LAN host after R2 came back', 45_000)
  const again = await command(hub, leaf.agentId, { type: 'exec', argv: ['echo', 'after the outage'] })
  assert.equal(again.stdout.trim(), 'after the outage')

  mark('outage')
  for (const a of [leaf, r3, r2, r1]) await a.stop()
  mark('stop agents')
  assert.deepEqual(logsOf([leaf, r3, r2, r1], (l) => l.msg === 'messages stay in the spool for the next start'), [])
  await hub.proc.stop()
  const first = firstReportReceivedAfter(hub, leaf, listening)
  t.diagnostic(`chain: R2 down ${seconds(listening - killedAt)} s; the LAN host's first report after R2 listened again received ${first === undefined ? '?' : seconds(first - listening)} s later (its sender backs off while the chain is cut)`)
  t.diagnostic(assertDeliveredOnce(hub, [leaf, r3, r2, r1]))
})
