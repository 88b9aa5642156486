// One contract for both buses (the in-process one and NATS on 127.0.0.1:4222): subjects and `*`
// wildcards, unsubscribe, request/reply, and the flow-controlled byte stream file transfers use
// between replicas. On NATS, the two ends are two connections, as two replicas would be.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes, createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { pino } from 'pino'
import type { Bus } from '../src/bus/bus.ts'
import { MemoryBus } from '../src/bus/memory-bus.ts'
import { NatsBus } from '../src/bus/nats-bus.ts'
import { BusStreamReader, BusStreamWriter, newStreamId, STREAM_CHUNK_BYTES } from '../src/bus/bus-stream.ts'

const NATS_URL = 'nats://127.0.0.1:4222'
const log = pino({ level: 'silent' })

/** Two ends of one bus: the same object in memory, two connections with one random prefix on NATS. */
async function pair (t: TestContext, kind: 'memory' | 'nats'): Promise<[Bus, Bus]> {
  if (kind === 'memory') {
    const bus = new MemoryBus()
    t.after(() => bus.close())
    return [bus, bus]
  }
  const prefix = `t${randomBytes(6).toString('hex')}`
  const a = await NatsBus.connect({ url: NATS_URL, prefix, log })
  t.after(() => a.close())
  const b = await NatsBus.connect({ url: NATS_URL, prefix, log })
  t.after(() => b.close())
  return [a, b]
}

/** On NATS, waits until the server has the subscriptions just made (a replica's are long in place). */
async function settle (...buses: Bus[]): Promise<void> {
  for (const b of buses) if (b instanceof NatsBus) await b.flush()
}

/** Collects what `subject` receives until a `{ last: true }` marker arrives. */
function collect (bus: Bus, subject: string): { done: Promise<unknown[]>, stop: () => void } {
  const got: unknown[] = []
  let stop = (): void => {}
  const done = new Promise<unknown[]>((resolve) => {
    stop = bus.subscribe(subject, (p) => {
      if ((p as { last?: boolean }).last === true) resolve(got)
      else got.push(p)
    })
  })
  return { done, stop }
}

for (const kind of ['memory', 'nats'] as const) {
  test(`${kind} bus: exact subjects and * wildcards deliver JSON payloads, in order`, async (t) => {
    const [pub, sub] = await pair(t, kind)
    const exact = collect(sub, 'agent.a1.instructions')
    const wild = collect(sub, 'agent.*.instructions')
    await settle(sub)
    pub.publish('agent.a1.instructions', { agentId: 'a1', n: 1 })
    pub.publish('agent.a2.instructions', { agentId: 'a2', n: 2 })
    pub.publish('agent.a1.other', { n: 3 })
    pub.publish('agent.a1.x.instructions', { n: 4 })
    pub.publish('agent.a1.instructions', { last: true })
    assert.deepEqual(await exact.done, [{ agentId: 'a1', n: 1 }])
    pub.publish('agent.zz.instructions', { last: true })
    assert.deepEqual(await wild.done, [{ agentId: 'a1', n: 1 }, { agentId: 'a2', n: 2 }])
  })

  test(`${kind} bus: every subscriber hears a message; an unsubscribed one no longer does`, async (t) => {
    const [pub, sub] = await pair(t, kind)
    const gone: unknown[] = []
    const stopGone = sub.subscribe('jobs.scheduled', (p) => { gone.push(p) })
    const first = collect(sub, 'jobs.scheduled')
    await settle(sub)
    pub.publish('jobs.scheduled', { n: 1 })
    pub.publish('jobs.scheduled', { n: 2 })
    pub.publish('jobs.scheduled', { last: true })
    assert.deepEqual(await first.done, [{ n: 1 }, { n: 2 }])
    first.stop()
    stopGone()
    const kept = collect(sub, 'jobs.scheduled')
    await settle(sub)
    pub.publish('jobs.scheduled', { n: 3 })
    pub.publish('jobs.scheduled', { last: true })
    assert.deepEqual(await kept.done, [{ n: 3 }])
    assert.deepEqual(gone, [{ n: 1 }, { n: 2 }, { last: true }])
  })

  test(`${kind} bus: request/reply answers, says when nobody serves, and reports a failed responder`, async (t) => {
    const [client, server] = await pair(t, kind)
    const stop = server.serve('transfer.x1.claim', async (p) => ({ echo: p }))
    server.serve('transfer.x2.claim', async () => { throw new Error('disk on fire') })
    await settle(server)
    assert.deepEqual(await client.request('transfer.x1.claim', { agentId: 'a' }, 5000), { echo: { agentId: 'a' } })
    assert.equal(await client.request('transfer.nobody.claim', {}, 5000), undefined)
    await assert.rejects(client.request('transfer.x2.claim', {}, 5000), (err: Error & { code?: string }) => err.code === 'HUB_ERR_BUS' && /disk on fire/.test(err.message))
    stop()
    await settle(server)
    assert.equal(await client.request('transfer.x1.claim', {}, 5000), undefined, 'no answer once it stopped serving')
  })

  test(`${kind} bus: a byte stream arrives whole and in order, held back by a slow reader`, async (t) => {
    const [from, to] = await pair(t, kind)
    const bytes = randomBytes(STREAM_CHUNK_BYTES * 40 + 123)
    const id = newStreamId()
    const writer = new BusStreamWriter(from, id)
    const reader = new BusStreamReader(to, id)
    await settle(from, to)
    reader.start()
    const sent = writer.pump(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]))
    const hash = createHash('sha256')
    let size = 0
    for await (const chunk of reader.stream) {
      hash.update(chunk as Buffer)
      size += (chunk as Buffer).length
      // A slow reader: the writer may not run ahead by more than its window.
      if (size % (STREAM_CHUNK_BYTES * 8) === 0) await new Promise(resolve => setImmediate(resolve))
    }
    reader.finish()
    await sent
    assert.equal(size, bytes.length)
    assert.equal(hash.digest('hex'), createHash('sha256').update(bytes).digest('hex'))
  })

  test(`${kind} bus: a reader that gives up stops the writer with HUB_ERR_BUS`, async (t) => {
    const [from, to] = await pair(t, kind)
    const id = newStreamId()
    const writer = new BusStreamWriter(from, id)
    const reader = new BusStreamReader(to, id)
    await settle(from, to)
    reader.start()
    async function * endless (): AsyncGenerator<Buffer> {
      for (;;) yield randomBytes(STREAM_CHUNK_BYTES)
    }
    const sent = writer.pump(endless())
    reader.stream.once('data', () => { reader.finish(new Error('the operator went away')) })
    await assert.rejects(sent, (err: Error & { code?: string }) => err.code === 'HUB_ERR_BUS' && /operator went away/.test(err.message))
  })
}

test('a NATS bus that cannot be reached fails with HUB_ERR_BUS saying how to start NATS', async () => {
  // Port 1 on loopback: nothing listens there.
  await assert.rejects(NatsBus.connect({ url: 'nats://127.0.0.1:1', log }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'HUB_ERR_BUS')
    assert.match(err.message, /nats-server/)
    return true
  })
})

test('NATS prefixes keep deployments sharing one server apart', async (t) => {
  const a = await NatsBus.connect({ url: NATS_URL, prefix: `p${randomBytes(4).toString('hex')}`, log })
  t.after(() => a.close())
  const b = await NatsBus.connect({ url: NATS_URL, prefix: `q${randomBytes(4).toString('hex')}`, log })
  t.after(() => b.close())
  const heardByB: unknown[] = []
  b.subscribe('console.live', (p) => { heardByB.push(p) })
  const own = collect(a, 'console.live')
  await settle(a, b)
  a.publish('console.live', { n: 1 })
  a.publish('console.live', { last: true })
  assert.deepEqual(await own.done, [{ n: 1 }])
  // b's server round trip after a's messages were routed: anything for b would have come by now.
  await b.flush()
  await a.flush()
  await b.flush()
  assert.deepEqual(heardByB, [])
})
