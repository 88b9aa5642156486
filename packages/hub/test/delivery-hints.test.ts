import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import { generateSigningKeyPair } from '@outpost/protocol'
import type { Store } from '@outpost/hub'
import { MemoryBus } from '../src/bus/memory-bus.ts'
import { BusSubject } from '../src/bus/bus.ts'
import { AuditLog } from '../src/audit/audit-log.ts'
import { CommandService, RESEND_AFTER_MS } from '../src/commands/command-service.ts'
import { MAX_QUIET_MS } from '../src/commands/delivery-hints.ts'
import { backends, command, storeWithAgents, type Backend } from './store-fixtures.ts'

interface Replica { readonly commands: CommandService, readonly clock: { now: number } }

/** A real store and bus shared by `replicas` command services, each with its own clock. */
async function setup (t: TestContext, b: Backend, replicas = 1): Promise<{ store: Store, bus: MemoryBus, r: Replica[] }> {
  const store = await storeWithAgents(t, b, ['a1'])
  const bus = new MemoryBus()
  const hubKey = generateSigningKeyPair()
  const r = Array.from({ length: replicas }, () => {
    const clock = { now: 1_000_000 }
    const now = (): number => clock.now
    return { clock, commands: new CommandService({ store, bus, audit: new AuditLog(store, now), hubKey, now, log: pino({ level: 'silent' }) }) }
  })
  t.after(async () => {
    for (const x of r) x.commands.close()
    await bus.close()
  })
  return { store, bus, r }
}

const issue = (c: CommandService): Promise<string> => c.create({ agentId: 'a1', body: { type: 'report-now' }, ttlMs: 600_000, issuer: 'user:admin' })

for (const b of backends) {
  test(`${b.kind}: a command queued after the agent was found quiet is handed out with the next report answer`, async (t) => {
    const { r: [a] } = await setup(t, b)
    assert.ok(a !== undefined)
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [])
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [], 'still quiet')
    const id = await issue(a.commands)
    assert.deepEqual((await a.commands.deliverableIfAny('a1')).map((i) => i.id), [id])
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [], 'sent, not due again yet')
  })

  test(`${b.kind}: a command queued through another replica clears this replica's hint`, async (t) => {
    const { r: [a, other] } = await setup(t, b, 2)
    assert.ok(a !== undefined && other !== undefined)
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [])
    const id = await issue(other.commands)
    assert.deepEqual((await a.commands.deliverableIfAny('a1')).map((i) => i.id), [id])
  })

  test(`${b.kind}: a sent command without a result is sent again after the resend delay, also when another replica sent it`, async (t) => {
    const { r: [a, other] } = await setup(t, b, 2)
    assert.ok(a !== undefined && other !== undefined)
    const id = await issue(other.commands)
    // a looks after the event and before the other replica hands the command out: it must learn about the sent one.
    assert.deepEqual((await other.commands.deliverable('a1')).map((i) => i.id), [id])
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [])
    a.clock.now += RESEND_AFTER_MS
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [], 'not yet due')
    a.clock.now += 1
    assert.deepEqual((await a.commands.deliverableIfAny('a1')).map((i) => i.id), [id], 'resent')
  })

  test(`${b.kind}: an event that lands while the store is being read leaves no stale hint`, async (t) => {
    const { store, bus, r: [a] } = await setup(t, b)
    assert.ok(a !== undefined)
    // The event lands while the read is in flight. (It is published before the row is written
    // only to pin that order in a test; in the hub the row is committed first.)
    const reading = a.commands.deliverableIfAny('a1')
    bus.publish(BusSubject.instructionsQueued('a1'), { agentId: 'a1', commandId: 'c1' })
    assert.deepEqual(await reading, [])
    await store.createCommand(command('c1', 'a1', a.clock.now, a.clock.now + 600_000))
    assert.deepEqual((await a.commands.deliverableIfAny('a1')).map((i) => i.id), ['c1'])
  })

  test(`${b.kind}: a hint expires by itself, so a lost bus event delays a command by at most MAX_QUIET_MS`, async (t) => {
    const { store, r: [a] } = await setup(t, b)
    assert.ok(a !== undefined)
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [])
    await store.createCommand(command('c1', 'a1', a.clock.now, a.clock.now + 10 * MAX_QUIET_MS)) // no event
    assert.deepEqual(await a.commands.deliverableIfAny('a1'), [])
    a.clock.now += MAX_QUIET_MS
    assert.deepEqual((await a.commands.deliverableIfAny('a1')).map((i) => i.id), ['c1'])
  })
}

test('the memory bus matches * against exactly one token', async () => {
  const bus = new MemoryBus()
  const got: unknown[] = []
  const off = bus.subscribe('agent.*.instructions', (p) => { got.push(p) })
  bus.publish('agent.x.instructions', 1)
  bus.publish('agent.x.y.instructions', 2)
  bus.publish('agent.x.other', 3)
  off()
  bus.publish('agent.z.instructions', 4)
  assert.deepEqual(got, [1])
})
