// The network-namespace harness itself: routed links really route, unrouted namespaces are really
// isolated, and cleanup (also after a crash) leaves no namespace behind. Needs root and iproute2.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createNetnsLab, listNamespaces, removeLeftovers, tcpListen, tcpProbe } from '@outpost/testkit'

test('a router forwards between two links; without the route or the forwarding nothing passes', { timeout: 30_000 }, async (t) => {
  const lab = createNetnsLab({ prefix: 'opnh' })
  t.after(() => lab.cleanup())
  const a = lab.namespace('a')
  const r = lab.namespace('r')
  const b = lab.namespace('b')
  const ar = lab.link(a, r)
  const rb = lab.link(r, b)
  assert.ok(ar.a.ifname.length <= 15 && rb.b.ifname.length <= 15)
  const server = await tcpListen(lab, b, '0.0.0.0')
  t.after(() => server.stop())

  // Neighbours on one link reach each other with no route at all.
  assert.deepEqual(await tcpProbe(lab, r, rb.b.address, server.port), { ok: true })
  // Two links away there is no route yet: the kernel refuses at once.
  assert.deepEqual(await tcpProbe(lab, a, rb.b.address, server.port), { ok: false, code: 'ENETUNREACH' })

  lab.route(a, rb.subnet, ar.b.address)
  lab.route(b, ar.subnet, rb.a.address)
  // Routes but no forwarding on the router: the SYN dies there, and the bounded probe times out.
  const dropped = await tcpProbe(lab, a, rb.b.address, server.port, 1_000)
  assert.equal(dropped.ok, false)
  lab.forward(r)
  assert.deepEqual(await tcpProbe(lab, a, rb.b.address, server.port), { ok: true })
})

test('a segment joins several namespaces on one /24; other namespaces stay apart', { timeout: 30_000 }, async (t) => {
  const lab = createNetnsLab({ prefix: 'opnh' })
  t.after(() => lab.cleanup())
  const [x, y, z, lone] = ['x', 'y', 'z', 'lone'].map((role) => lab.namespace(role)) as [string, string, string, string]
  const seg = lab.segment('lan', [x, y, z])
  assert.deepEqual(seg.members.map((m) => m.address), ['10.77.1.1', '10.77.1.2', '10.77.1.3'])
  const server = await tcpListen(lab, z, seg.of(z).address)
  t.after(() => server.stop())
  assert.deepEqual(await tcpProbe(lab, x, seg.of(z).address, server.port), { ok: true })
  assert.deepEqual(await tcpProbe(lab, y, seg.of(z).address, server.port), { ok: true })
  // A namespace with no interface but lo has no route anywhere, and the root namespace has none
  // into the lab either (its probe runs without `ip netns exec`).
  assert.deepEqual(await tcpProbe(lab, lone, seg.of(z).address, server.port), { ok: false, code: 'ENETUNREACH' })
  const fromRoot = spawnSync(process.execPath, ['-e', `require('node:net').connect(${server.port}, '${seg.of(z).address}').setTimeout(1000, () => process.exit(3)).on('connect', () => process.exit(0)).on('error', () => process.exit(4))`])
  assert.notEqual(fromRoot.status, 0, 'the root namespace reaches into the lab')
})

test('cleanup removes every namespace and what runs inside; leftovers of a dead run are removed', { timeout: 30_000 }, async (t) => {
  const lab = createNetnsLab({ prefix: 'opnh' })
  t.after(() => lab.cleanup())
  const a = lab.namespace('a')
  const b = lab.namespace('b')
  lab.link(a, b)
  const server = await tcpListen(lab, a, '127.0.0.1')
  const names = listNamespaces().filter((n) => n.startsWith(lab.id))
  assert.equal(names.length, 2)
  await lab.cleanup()
  assert.deepEqual(listNamespaces().filter((n) => n.startsWith(lab.id)), [])
  await server.stop()

  // A namespace named like one of a process that no longer exists: a crashed run's leftover.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  const leftover = `opnh-${dead.stdout}-abcdef-gw`
  assert.equal(spawnSync('ip', ['netns', 'add', leftover]).status, 0)
  t.after(() => { spawnSync('ip', ['netns', 'del', leftover]) })
  // One of a live process (this one) with the same prefix stays: it may be a parallel test's.
  const live = `opnh-${process.pid}-fedcba-gw`
  assert.equal(spawnSync('ip', ['netns', 'add', live]).status, 0)
  t.after(() => { spawnSync('ip', ['netns', 'del', live]) })
  assert.deepEqual(removeLeftovers('opnh'), [leftover])
  assert.ok(listNamespaces().includes(live))
  assert.ok(!listNamespaces().includes(leftover))
})
