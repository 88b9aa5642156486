import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Metric, MetricName, StatusSnapshot, isValid, validate } from '@outpost/protocol'
import { createStatusCollector, sampleThresholdMetrics } from '../src/collectors/index.ts'
import { AgentErrorCode } from '../src/index.ts'

/** Writes a small fake /proc tree; `counters` lets a test advance the counters between samples. */
function writeProc (root: string, c: { cpu: number[], disk: [number, number], net: [number, number], procTicks: number }, mounts: string): void {
  const w = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  w('stat', `cpu  ${c.cpu.join(' ')} 0 0\ncpu0 1 2 3 4\nbtime 1700000000\n`)
  w('loadavg', '0.50 0.25 0.10 2/345 999\n')
  w('uptime', '1000.55 1900.00\n')
  w('meminfo', 'MemTotal:       1000000 kB\nMemFree:         100000 kB\nMemAvailable:    250000 kB\nSwapTotal:       200000 kB\nSwapFree:        150000 kB\n')
  w('diskstats', [
    `   8       0 sda ${[1, 0, c.disk[0], 0, 1, 0, c.disk[1], 0, 0, 0, 0].join(' ')}`,
    '   8       1 sda1 1 0 999999 0 1 0 999999 0 0 0 0',
    ' 259       0 nvme0n1 1 0 0 0 1 0 0 0 0 0 0',
    ' 259       1 nvme0n1p1 1 0 88888 0 1 0 0 0 0 0 0',
    '   7       0 loop0 1 0 77777 0 1 0 0 0 0 0 0'
  ].join('\n') + '\n')
  w('net/dev', 'Inter-|   Receive\n face |bytes\n    lo: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n' +
    `  eth0: ${c.net[0]} 1 0 0 0 0 0 0 ${c.net[1]} 1 0 0 0 0 0 0\n`)
  const hdr = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n'
  w('net/tcp', hdr +
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0 0 12345 1 0 0\n' +
    '   1: 0100007F:1F91 0100007F:C000 01 00000000:00000000 00:00000000 00000000  0 0 12346 1 0 0\n')
  w('net/tcp6', hdr + '   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 22222 1\n')
  w('net/udp', hdr + '   0: 00000000:0035 00000000:0000 07 0:0 0:0 0 0 0 33333 2\n   1: 00000000:0036 0100007F:0035 07 0:0 0:0 0 0 0 33334 2\n')
  w('net/udp6', hdr + '   0: 0000000000000000FFFF00000100007F:0044 00000000000000000000000000000000:0000 07 0:0 0:0 0 0 0 44444 2\n')
  w('mounts', mounts)
  const long = 'x'.repeat(5000)
  w('4242/stat', `4242 (evil) ] [proc) S 1 1 1 0 -1 0 0 0 0 0 ${c.procTicks} 0 0 0 20 0 1 0 5000 1000 10 0\n`)
  w('4242/status', 'Name:\tevil\nUid:\t0\t0\t0\t0\nVmRSS:\t    2048 kB\n')
  w('4242/cmdline', `/bin/evil\0--flag\0${long}\0`)
  w('4242/comm', 'evil) ] [proc\n')
  fs.mkdirSync(path.join(root, '4242/fd'), { recursive: true })
  if (fs.lstatSync(path.join(root, '4242/fd/3'), { throwIfNoEntry: false }) === undefined) fs.symlinkSync('socket:[12345]', path.join(root, '4242/fd/3'))
  if (fs.lstatSync(path.join(root, '4242/fd/4'), { throwIfNoEntry: false }) === undefined) fs.symlinkSync('/dev/null', path.join(root, '4242/fd/4'))
  w('4243/stat', '4243 (kworker/0:1) I 2 0 0 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 10 0 0 0\n')
  w('4243/status', 'Name:\tkworker/0:1\nUid:\t0\t0\t0\t0\n')
  w('4243/cmdline', '')
}

function fixture (t: { after: (fn: () => void) => void }): { root: string, dataDir: string, mounts: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
  t.after(() => fs.rmSync(base, { recursive: true, force: true }))
  const root = path.join(base, 'proc')
  const dataDir = path.join(base, 'my [data]*')
  fs.mkdirSync(path.join(dataDir, 'bind'), { recursive: true })
  const esc = (p: string): string => p.replaceAll(' ', '\\040')
  const mounts = [
    'proc /proc proc rw 0 0',
    `tmpfs ${esc(base)} tmpfs rw 0 0`,
    `/dev/fake ${esc(dataDir)} ext4 rw 0 0`,
    `/dev/fake ${esc(path.join(dataDir, 'bind'))} ext4 rw 0 0`,
    `/dev/gone ${esc(path.join(base, 'missing'))} ext4 rw 0 0`
  ].join('\n') + '\n'
  return { root, dataDir, mounts }
}

const value = (metrics: Metric[], name: string): number | undefined => metrics.find((x) => x.name === name)?.value

test('status from a fixture /proc: exact CPU %, memory, load, uptime and no rates on the first sample', async (t) => {
  const { root, mounts } = fixture(t)
  writeProc(root, { cpu: [100, 0, 100, 700, 100, 0, 0, 0], disk: [0, 0], net: [0, 0], procTicks: 0 }, mounts)
  const c = createStatusCollector({ procRoot: root })
  const first = await c.sample()
  assert.equal(value(first.metrics, 'cpu.util_pct'), undefined)
  assert.equal(value(first.metrics, 'disk.read_bps[sda]'), undefined)
  assert.equal(value(first.metrics, 'load.5m'), 0.25)
  assert.equal(value(first.metrics, 'system.procs'), 345)
  assert.equal(value(first.metrics, 'system.uptime_s'), 1000)
  assert.equal(value(first.metrics, 'mem.used_bytes'), 750000 * 1024)
  assert.equal(value(first.metrics, 'mem.used_pct'), 75)
  assert.equal(value(first.metrics, 'swap.used_pct'), 25)
  // user +300, system +100, idle +500, iowait +100 ticks: 1000 in all.
  writeProc(root, { cpu: [350, 50, 200, 1200, 200, 0, 0, 0], disk: [2000, 4000], net: [3000, 1000], procTicks: 50 }, mounts)
  const second = await c.sample()
  assert.equal(value(second.metrics, 'cpu.util_pct'), 40)
  assert.equal(value(second.metrics, 'cpu.user_pct'), 30)
  assert.equal(value(second.metrics, 'cpu.system_pct'), 10)
  assert.equal(value(second.metrics, 'cpu.iowait_pct'), 10)
  const read = value(second.metrics, 'disk.read_bps[sda]') ?? 0
  const write = value(second.metrics, 'disk.write_bps[sda]') ?? 0
  assert.ok(read > 0 && Math.abs(write / read - 2) < 0.01, `sector counts become bytes: ${read} ${write}`)
  const rx = value(second.metrics, 'net.rx_bps[eth0]') ?? 0
  assert.ok(rx > 0 && Math.abs(rx / (value(second.metrics, 'net.tx_bps[eth0]') ?? 0) - 3) < 0.01)
  const names = second.metrics.map((x) => x.name)
  assert.ok(names.includes('disk.read_bps[nvme0n1]'))
  for (const skipped of ['sda1', 'nvme0n1p1', 'loop0']) assert.ok(!names.includes(`disk.read_bps[${skipped}]`), skipped)
  assert.ok(!names.some((n) => n.includes('[lo]')), 'loopback is left out')
})

test('counters that go back (device re-created) give no rate instead of a negative one', async (t) => {
  const { root, mounts } = fixture(t)
  writeProc(root, { cpu: [100, 0, 100, 700, 100, 0, 0, 0], disk: [5000, 5000], net: [9000, 9000], procTicks: 0 }, mounts)
  const c = createStatusCollector({ procRoot: root })
  await c.sample()
  writeProc(root, { cpu: [50, 0, 100, 700, 100, 0, 0, 0], disk: [10, 10], net: [10, 10], procTicks: 0 }, mounts)
  const { metrics } = await c.sample()
  assert.ok(!metrics.some((x) => x.name.startsWith('cpu.') || x.name.endsWith('[sda]') || x.name.startsWith('net.')), JSON.stringify(metrics))
  assert.equal(value(metrics, 'disk.read_bps[nvme0n1]'), 0, 'unchanged counters give a zero rate')
})

test('hostile names (brackets, parentheses, spaces, *, very long) still give valid metrics and snapshot', async (t) => {
  const { root, dataDir, mounts } = fixture(t)
  writeProc(root, { cpu: [1, 0, 1, 1, 0, 0, 0, 0], disk: [0, 0], net: [0, 0], procTicks: 0 }, mounts)
  const { metrics, snapshot } = await createStatusCollector({ procRoot: root }).sample()
  for (const x of metrics) validate(Metric, x, x.name)
  validate(StatusSnapshot, snapshot)
  const fsNames = metrics.filter((x) => x.name.startsWith('fs.used_pct[')).map((x) => x.name)
  // Pseudo file systems and a mount point that does not exist are left out; the bind mount of
  // the same device is reported once under the shorter path.
  const encoded = dataDir.replaceAll('%', '%25').replaceAll('[', '%5B').replaceAll(']', '%5D').replaceAll('*', '%2A')
  assert.deepEqual(fsNames, [`fs.used_pct[${encoded}]`])
  const evil = snapshot.processes.find((p) => p.pid === 4242)
  assert.ok(evil !== undefined)
  assert.equal(evil.name, 'evil) ] [proc')
  assert.equal(evil.user, 'root')
  assert.equal(evil.memBytes, 2048 * 1024)
  assert.equal(evil.command.length, 1024)
  assert.ok(evil.command.startsWith('/bin/evil --flag xxx'))
  const kworker = snapshot.processes.find((p) => p.pid === 4243)
  assert.equal(kworker?.command, '[kworker/0:1]')
  assert.equal(kworker?.memBytes, 0)
})

test('listening sockets from a fixture /proc: TCP listen and unconnected UDP only, decoded, with owners', async (t) => {
  const { root, mounts } = fixture(t)
  writeProc(root, { cpu: [1, 0, 1, 1, 0, 0, 0, 0], disk: [0, 0], net: [0, 0], procTicks: 0 }, mounts)
  const { snapshot } = await createStatusCollector({ procRoot: root }).sample()
  assert.deepEqual(snapshot.listeningPorts, [
    { protocol: 'tcp6', address: '::1', port: 22, process: '' },
    { protocol: 'udp', address: '0.0.0.0', port: 53, process: '' },
    { protocol: 'udp6', address: '::ffff:127.0.0.1', port: 68, process: '' },
    { protocol: 'tcp', address: '127.0.0.1', port: 8080, process: 'evil) ] [proc' }
  ])
})

test('more listening sockets than the schema allows are capped, not rejected', async (t) => {
  const { root, mounts } = fixture(t)
  writeProc(root, { cpu: [1, 0, 1, 1, 0, 0, 0, 0], disk: [0, 0], net: [0, 0], procTicks: 0 }, mounts)
  const lines = ['  sl  local_address rem_address   st']
  for (let i = 0; i < 5000; i++) lines.push(`   ${i}: 0100007F:${(1000 + i).toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 0:0 0:0 0 0 0 ${900000 + i} 1`)
  fs.writeFileSync(path.join(root, 'net/tcp'), lines.join('\n') + '\n')
  const { snapshot } = await createStatusCollector({ procRoot: root }).sample()
  assert.equal(snapshot.listeningPorts.length, 4096)
  validate(StatusSnapshot, snapshot)
})

test('sampleThresholdMetrics reads memory and file systems only', async (t) => {
  const { root, mounts } = fixture(t)
  writeProc(root, { cpu: [1, 0, 1, 1, 0, 0, 0, 0], disk: [0, 0], net: [0, 0], procTicks: 0 }, mounts)
  const metrics = await sampleThresholdMetrics({ procRoot: root })
  assert.equal(value(metrics, 'mem.used_pct'), 75)
  assert.ok(metrics.some((x) => x.name.startsWith('fs.used_pct[')))
  assert.ok(metrics.every((x) => /^(mem|swap|fs)\./.test(x.name)), JSON.stringify(metrics))
})

test('a missing essential proc file fails with AGENT_ERR_COLLECT and keeps the cause', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-'))
  t.after(() => fs.rmSync(base, { recursive: true, force: true }))
  await assert.rejects(createStatusCollector({ procRoot: base }).sample(), (err: unknown) => {
    const e = err as { code?: string, cause?: { code?: string } }
    return e.code === AgentErrorCode.Collect && e.cause?.code === 'ENOENT'
  })
  await assert.rejects(sampleThresholdMetrics({ procRoot: base }), (err: unknown) => (err as { code?: string }).code === AgentErrorCode.Collect)
})

test('MetricName accepts what the collectors build from the worst mount points', async (t) => {
  const { metricName } = await import('../src/collectors/index.ts')
  const worst = ['/a]b[c', '/%5B', '/tab\there', '/new\nline', '*', '/' + 'ü'.repeat(300), '/' + ']'.repeat(300), '/🙂'.repeat(150)]
  const seen = new Set<string>()
  for (const w of worst) {
    const name = metricName('fs.used_pct', w)
    assert.ok(isValid(MetricName, name), name)
    seen.add(name)
  }
  assert.equal(seen.size, worst.length, 'distinct instances stay distinct')
  assert.equal(metricName('fs.used_pct', '/%5B'), 'fs.used_pct[/%255B]')
  assert.equal(metricName('fs.used_pct', '*'), 'fs.used_pct[%2A]')
  assert.throws(() => metricName('fs.used_pct', ''))
  t.diagnostic(metricName('fs.used_pct', worst[5] as string))
})
