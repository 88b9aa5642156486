// The relay view's pure parts: path words, health order, link words and load figures.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { RelaySummary } from '@outpost/protocol'
import { behindText, cpuText, hubwardHops, linkText, onBackup, pathText, sortRelays, trafficText, viaText } from '../src/model/relay-view.ts'
import { conditionText } from '../src/model/rule-text.ts'
import { draftOf, EMPTY_DRAFT, ruleInputOf } from '../src/model/rule-draft.ts'

const relay = (id: string, over: Partial<RelaySummary> = {}): RelaySummary => ({
  id, name: id, group: 'default', status: 'online', health: 'ok', listen: '127.0.0.1:7443', reportedAt: '2026-01-01T00:00:00.000Z',
  via: [], downstream: 0, behind: 0, unreachable: 0, active: 0, connections: 0, refused: 0, bytesUp: 0, bytesDown: 0, cpuPercent: 0, ...over
})

// `via` runs from the host towards the hub: relay-2 is the host's first hop, gw-1 talks to the hub.
const VIA = [{ id: 'r2', name: 'relay-2' }, { id: 'g1', name: 'gw-1' }]

test('a path reads from the hub down to the host; the list line from the host up', () => {
  assert.equal(pathText(VIA, 'web-3'), 'Hub ← gw-1 ← relay-2 ← web-3')
  assert.equal(pathText([], 'web-3'), 'Hub ← web-3')
  assert.deepEqual(hubwardHops(VIA).map(h => h.id), ['g1', 'r2'])
  assert.equal(VIA[0]?.id, 'r2', 'the protocol order is left as it was')
  assert.equal(viaText(VIA), 'via relay-2 → gw-1')
  assert.equal(viaText([{ id: 'g1', name: 'gw-1' }]), 'via gw-1')
  assert.equal(viaText([]), '')
})

test('relays sort offline, then stale, then ok; more hosts cut off first; then by name', () => {
  const list = [
    relay('a-ok', { name: 'zulu' }), relay('b-stale', { health: 'stale' }), relay('c-off', { health: 'offline', unreachable: 1 }),
    relay('d-off', { health: 'offline', unreachable: 4 }), relay('e-off', { health: 'offline', unreachable: 1 }), relay('f-ok', { name: 'alpha' })
  ]
  assert.deepEqual(sortRelays(list).map(r => r.id), ['d-off', 'c-off', 'e-off', 'b-stale', 'f-ok', 'a-ok'])
  assert.equal(list[0]?.id, 'a-ok', 'the input is not reordered')
})

test('the upstream in words, flagged when it is a backup', () => {
  const preferred = { kind: 'relay', label: 'relay://10.0.0.5:7443', index: 0 } as const
  assert.equal(linkText(preferred), 'via relay://10.0.0.5:7443, upstream #1 of the list (preferred)')
  assert.equal(onBackup(preferred), false)
  const backup = { kind: 'direct', label: 'https://hub.example:8443', index: 2 } as const
  assert.equal(linkText(backup), 'direct to https://hub.example:8443, upstream #3 of the list (a backup: the ones before it did not answer)')
  assert.equal(onBackup(backup), true)
  assert.equal(onBackup(null), false)
  assert.match(linkText({ kind: 'proxy', label: 'http://proxy:3128', index: 0 }), /^through the proxy http:\/\/proxy:3128, /)
})

test('load figures for people', () => {
  assert.equal(trafficText(1536, 0), '↑ 1.5 KiB ↓ 0 B')
  assert.equal(trafficText(5 * 1024 ** 3, 300 * 1024 ** 2), '↑ 5.0 GiB ↓ 300 MiB')
  assert.equal(cpuText(0.04), '0.0 %')
  assert.equal(cpuText(3.26), '3.3 %')
  assert.equal(cpuText(137.6), '138 %')
  assert.equal(behindText({ behind: 0, unreachable: 0 }), 'no host behind')
  assert.equal(behindText({ behind: 1, unreachable: 0 }), '1 host behind')
  assert.equal(behindText({ behind: 5, unreachable: 2 }), '5 hosts behind · 2 unreachable')
})

test('the rule form makes and edits a relay-unreachable rule', () => {
  assert.equal(conditionText({ type: 'relay-unreachable', missedIntervals: 1 }), 'hosts behind a silent relay unreachable for 1 interval')
  const made = ruleInputOf({ ...EMPTY_DRAFT, name: 'Site cut off', condType: 'relay-unreachable', missedIntervals: '4' })
  assert.ok(made.ok)
  assert.deepEqual(made.input.condition, { type: 'relay-unreachable', missedIntervals: 4 })
  const rule = { ...made.input, id: 'r1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }
  const d = draftOf(rule)
  assert.equal(d.condType, 'relay-unreachable')
  assert.equal(d.missedIntervals, '4')
  assert.equal(d.kept, null, 'the form edits it, it is not kept read-only')
  assert.deepEqual(ruleInputOf(d), { ok: true, input: made.input })
  const bad = ruleInputOf({ ...d, missedIntervals: '0' })
  assert.ok(!bad.ok && /^Missed intervals: /.test(bad.error))
})
