import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { HostSummary } from '@outpost/protocol'
import { healthOf, isFaulty, upsertHost, visibleHosts } from '../src/model/host-health.ts'
import { splitArgv } from '../src/model/argv.ts'
import { filesystems, nicAbnormal } from '../src/model/hardware-checks.ts'
import { safeNext } from '../src/model/next-path.ts'

const host = (id: string, over: Partial<HostSummary> & { alerts?: { critical: number, warning: number, info: number } } = {}): HostSummary => ({
  id, name: id, group: 'default', status: 'online', lastSeen: '2026-01-01T00:00:00.000Z', enrolledAt: '2026-01-01T00:00:00.000Z', os: 'Debian GNU/Linux 12', ...over
}) as HostSummary

test('faulty hosts (critical, offline, warning) sort first, worst first, then by name', () => {
  const list = [
    host('a-ok'), host('b-warn', { alerts: { critical: 0, warning: 2, info: 0 } }), host('c-off', { status: 'offline' }),
    host('d-crit', { alerts: { critical: 1, warning: 0, info: 0 } }), host('e-new', { status: 'unknown', lastSeen: null }),
    host('f-info', { alerts: { critical: 0, warning: 0, info: 3 } })
  ]
  assert.deepEqual(visibleHosts(list, '', 'all').map(h => h.id), ['d-crit', 'c-off', 'b-warn', 'e-new', 'a-ok', 'f-info'])
  assert.deepEqual(visibleHosts(list, '', 'faulty').map(h => h.id), ['d-crit', 'c-off', 'b-warn'])
  assert.equal(healthOf(list[5] as HostSummary), 'ok', 'info alerts alone do not make a host faulty')
  assert.equal(isFaulty(list[0] as HostSummary), false)
})

test('search matches name, id, group and OS, case-insensitively; status filter applies', () => {
  const list = [host('web-1', { group: 'Shop' }), host('db-1', { os: 'Rocky Linux 9' }), host('db-2', { status: 'offline' })]
  assert.deepEqual(visibleHosts(list, 'shop', 'all').map(h => h.id), ['web-1'])
  assert.deepEqual(visibleHosts(list, 'ROCKY', 'all').map(h => h.id), ['db-1'])
  assert.deepEqual(visibleHosts(list, 'db', 'online').map(h => h.id), ['db-1'])
  assert.deepEqual(visibleHosts(list, 'db', 'offline').map(h => h.id), ['db-2'])
})

test('2,000 hosts sort and filter, and a live update replaces the host in place', () => {
  const many = Array.from({ length: 2000 }, (_, i) => host(`h-${String(i).padStart(4, '0')}`, i % 97 === 0 ? { status: 'offline' } : {}))
  const sorted = visibleHosts(many, '', 'all')
  assert.equal(sorted.length, 2000)
  assert.equal(sorted.filter(h => h.status === 'offline').length, 21)
  assert.ok(sorted.slice(0, 21).every(h => h.status === 'offline'), 'offline hosts come first')
  const updated = upsertHost(many, host('h-0005', { alerts: { critical: 1, warning: 0, info: 0 } }))
  assert.equal(updated.length, 2000)
  assert.equal(visibleHosts(updated, '', 'all')[0]?.id, 'h-0005')
  assert.equal(upsertHost(many, host('new')).length, 2001)
})

test('argv splitting honours quotes and escapes and rejects an open quote', () => {
  assert.deepEqual(splitArgv('ls -l /tmp'), ['ls', '-l', '/tmp'])
  assert.deepEqual(splitArgv(`echo "a b" 'c d' e\\ f ""`), ['echo', 'a b', 'c d', 'e f', ''])
  assert.deepEqual(splitArgv('sh -c "echo \\"hi\\""'), ['sh', '-c', 'echo "hi"'])
  assert.deepEqual(splitArgv('  '), [])
  assert.throws(() => splitArgv('echo "oops'), /unclosed/)
})

test('abnormal hardware is flagged: file systems at 90 % or more, physical NICs not up', () => {
  const fss = filesystems({ 'fs.used_pct[/]': 40, 'fs.used_pct[/var]': 93.5, 'fs.size_bytes[/var]': 1e9, 'cpu.util_pct': 99 })
  assert.deepEqual(fss.map(f => [f.mount, f.abnormal]), [['/var', true], ['/', false]])
  assert.equal(fss[0]?.sizeBytes, 1e9)
  const nic = { name: 'eth0', mac: '', ipv4: [], ipv6: [], speedMbps: null, state: 'down', virtual: false }
  assert.equal(nicAbnormal(nic), true)
  assert.equal(nicAbnormal({ ...nic, virtual: true }), false)
  assert.equal(nicAbnormal({ ...nic, state: 'up' }), false)
})

test('the login redirect target is a same-origin path only (no open redirect)', () => {
  assert.equal(safeNext('/hosts/abc/command?x=1'), '/hosts/abc/command?x=1')
  for (const bad of [null, '', 'https://evil.example/', '//evil.example/', '/\\evil.example', '/login?next=/x', 'javascript:alert(1)', '/a\u0000b', '/a\\b']) {
    assert.equal(safeNext(bad), '/', String(bad))
  }
})
