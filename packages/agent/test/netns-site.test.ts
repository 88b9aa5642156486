// Issue 5's site in real network namespaces: the hub on a WAN segment, a gateway on the WAN and on
// the site LAN, a LAN host with no route to the hub. Real `outpost hub` and `outpost agent`
// processes run inside the namespaces. Needs root and iproute2 (the harness says so otherwise).
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createNetnsLab, runOutpost, site, tcpProbe, type NetnsLab, type Site } from '@outpost/testkit'

interface SiteHub { readonly url: string, readonly fingerprint: string, readonly dataDir: string, readonly apiToken: string }

function tempDir (t: TestContext, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** `outpost hub` inside the hub namespace, listening on its WAN address only. */
async function startSiteHub (t: TestContext, lab: NetnsLab, s: Site): Promise<SiteHub> {
  const dataDir = tempDir(t, 'outpost-netns-hub-')
  const hub = lab.startOutpost(s.hub.ns, ['hub', '--data', dataDir, '--listen', `${s.hubAddress}:0`, '--agent-interval', '2s'], { env: { OUTPOST_ADMIN_PASSWORD: 'correct horse battery' } })
  const line = await hub.waitForLog((l) => l.msg === 'hub listening', 20_000)
  const apiToken = await admin(dataDir, ['api-token', '--name', 'ops', '--role', 'operator'])
  return { url: `https://${s.hubAddress}:${String(line.port)}`, fingerprint: String(line.fingerprint), dataDir, apiToken }
}

/** `outpost admin …` on the hub's data dir (a file, so no network is involved). */
async function admin (dataDir: string, args: readonly string[]): Promise<string> {
  const r = await runOutpost(['admin', ...args, '--data', dataDir], { timeoutMs: 20_000 })
  if (r.code !== 0) throw new Error(`outpost admin ${args.join(' ')} failed (${r.code}): ${r.stderr}`)
  return r.stdout.trim()
}

/** `outpost ctl …` run by an operator in the hub's namespace (the operator API over HTTPS). */
function ctl (lab: NetnsLab, s: Site, hub: SiteHub, args: readonly string[]): ReturnType<typeof runOutpost> {
  return runOutpost(['ctl', '--hub', hub.url, '--fingerprint', hub.fingerprint, '--token', hub.apiToken, ...args], { prefix: lab.prefix(s.hub.ns), timeoutMs: 20_000 })
}

/** Polls the operator API until a host is online with its inventory; returns its id. */
async function onlineHost (lab: NetnsLab, s: Site, hub: SiteHub, known: readonly string[] = []): Promise<string> {
  const deadline = Date.now() + 20_000
  let last = ''
  while (Date.now() < deadline) {
    const r = await ctl(lab, s, hub, ['hosts', '--json'])
    last = r.stdout + r.stderr
    if (r.code === 0) {
      const hosts = JSON.parse(r.stdout) as Array<{ id: string, status: string, os: string }>
      const hit = hosts.find((h) => h.status === 'online' && h.os !== '' && !known.includes(h.id))
      if (hit !== undefined) return hit.id
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`no new online host within 20 s; last answer: ${last}`)
}

test('only the gateway reaches the hub: a LAN agent cannot enroll directly, the gateway agent enrolls and reports', { timeout: 50_000 }, async (t) => {
  const lab = createNetnsLab({ prefix: 'opns' })
  t.after(() => lab.cleanup())
  const s = site(lab, { gateways: ['gw'], lan: ['pc'] })
  const hub = await startSiteHub(t, lab, s)
  const port = Number(new URL(hub.url).port)
  const pc = s.lan.pc
  const gw = s.gateways.gw
  assert.ok(pc !== undefined && gw !== undefined)

  // The LAN host has no route to the hub: the kernel refuses before any packet leaves.
  assert.deepEqual(await tcpProbe(lab, pc.ns, s.hubAddress, port), { ok: false, code: 'ENETUNREACH' })
  const direct = lab.startOutpost(pc.ns, ['agent', '--enroll', await admin(hub.dataDir, ['enroll-token']), '--state', path.join(tempDir(t, 'outpost-netns-pc-'), 'state')])
  const code = await Promise.race([
    new Promise<number | null>((resolve) => direct.child.once('exit', (c) => resolve(c))),
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 15_000).unref())
  ])
  const { stdout, stderr } = direct.output()
  assert.notEqual(code, 0, `the LAN agent enrolled or is still trying:\n${stdout}\n${stderr}`)
  assert.notEqual(code, 'running', `the LAN agent neither enrolled nor gave up within 15 s:\n${stdout}\n${stderr}`)
  assert.match(stdout + stderr, /ENETUNREACH/)
  assert.equal(direct.logs.some((l) => l.msg === 'enrolled'), false)

  // The gateway reaches the hub over the WAN: it enrolls, reports, and runs what the hub sends.
  const gateway = lab.startOutpost(gw.ns, ['agent', '--enroll', await admin(hub.dataDir, ['enroll-token']), '--state', path.join(tempDir(t, 'outpost-netns-gw-'), 'state'), '--interval', '2s'])
  await gateway.waitForLog((l) => l.msg === 'enrolled', 20_000)
  const hostId = await onlineHost(lab, s, hub)
  const hosts = JSON.parse((await ctl(lab, s, hub, ['hosts', '--json'])).stdout) as unknown[]
  assert.equal(hosts.length, 1, 'only the gateway is known to the hub')
  // The exec runs in the gateway's namespace: it sees the gateway's LAN address, not the hub's.
  const run = await ctl(lab, s, hub, ['exec', hostId, '--', 'ip', '-4', '-o', 'addr', 'show'])
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, new RegExp(`inet ${gw.lan.address.replaceAll('.', '\\.')}/24`))
  assert.doesNotMatch(run.stdout, new RegExp(`inet ${s.hubAddress.replaceAll('.', '\\.')}/`))
})

test('a LAN agent with no route to the hub enrolls, reports and runs commands through the gateway relay', { timeout: 50_000 }, async (t) => {
  const lab = createNetnsLab({ prefix: 'opns' })
  t.after(() => lab.cleanup())
  const s = site(lab, { gateways: ['gw'], lan: ['pc'] })
  const hub = await startSiteHub(t, lab, s)
  const pc = s.lan.pc
  const gw = s.gateways.gw
  assert.ok(pc !== undefined && gw !== undefined)

  const gateway = lab.startOutpost(gw.ns, ['agent', '--enroll', await admin(hub.dataDir, ['enroll-token']), '--state', path.join(tempDir(t, 'outpost-netns-gw-'), 'state'),
    '--interval', '2s', '--relay-listen', `${gw.lan.address}:0`])
  const listening = await gateway.waitForLog((l) => l.msg === 'relay listening', 20_000)
  const relayPort = Number(listening.port)
  const gatewayId = await onlineHost(lab, s, hub)
  // The relay listens on the LAN address only, and the LAN host still has no route to the hub.
  assert.deepEqual(await tcpProbe(lab, pc.ns, s.hubAddress, Number(new URL(hub.url).port)), { ok: false, code: 'ENETUNREACH' })

  const lanAgent = lab.startOutpost(pc.ns, ['agent', '--enroll', await admin(hub.dataDir, ['enroll-token']), '--state', path.join(tempDir(t, 'outpost-netns-pc-'), 'state'),
    '--interval', '2s', '--upstream', `relay://${gw.lan.address}:${relayPort}`])
  await lanAgent.waitForLog((l) => l.msg === 'enrolled', 20_000)
  const lanId = await onlineHost(lab, s, hub, [gatewayId])
  assert.notEqual(lanId, gatewayId)

  // The command reaches the agent in the LAN namespace: it sees the LAN address of `pc`.
  const run = await ctl(lab, s, hub, ['exec', lanId, '--', 'ip', '-4', '-o', 'addr', 'show'])
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, new RegExp(`inet ${pc.lan.address.replaceAll('.', '\\.')}/24`))
  assert.doesNotMatch(run.stdout, new RegExp(`inet ${gw.wan.address.replaceAll('.', '\\.')}/`))
})
