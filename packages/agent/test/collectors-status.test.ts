import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import dc from 'node:diagnostics_channel'
import dgram from 'node:dgram'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import { Metric, StatusSnapshot, validate } from '@outpost/protocol'
import { createStatusCollector, sampleThresholdMetrics } from '../src/collectors/index.ts'

const value = (metrics: Metric[], name: string): number | undefined => metrics.find((x) => x.name === name)?.value
const selfComm = (): string => fs.readFileSync('/proc/self/comm', 'utf8').trim()

/** Burns CPU until this process has used `ms` more of it (bounded by a deadline). */
function burnCpu (ms: number): void {
  const start = process.cpuUsage()
  const deadline = Date.now() + 20_000
  let x = 0
  while (Date.now() < deadline) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(i)
    const used = process.cpuUsage(start)
    if ((used.user + used.system) / 1000 >= ms) break
  }
  assert.ok(x > 0)
}

test('two real samples validate, rates are non-negative and percentages are in range', async () => {
  const c = createStatusCollector()
  const first = await c.sample()
  burnCpu(50)
  const second = await c.sample()
  for (const s of [first, second]) {
    validate(StatusSnapshot, s.snapshot)
    for (const m of s.metrics) validate(Metric, m, m.name)
    const names = s.metrics.map((m) => m.name)
    assert.equal(new Set(names).size, names.length, 'metric names are unique')
  }
  for (const m of second.metrics) {
    if (/_(bps|pct)(\[|$)/.test(m.name)) assert.ok(m.value >= 0, `${m.name} = ${m.value}`)
    if (m.name.startsWith('cpu.') || m.name.startsWith('mem.used_pct')) assert.ok(m.value <= 100, `${m.name} = ${m.value}`)
  }
  for (const name of ['cpu.util_pct', 'cpu.user_pct', 'cpu.system_pct', 'cpu.iowait_pct']) assert.ok(value(second.metrics, name) !== undefined, name)
  // The busy loop above ran between the samples, so the host was not idle.
  assert.ok((value(second.metrics, 'cpu.util_pct') ?? 0) > 0)
  const nics = Object.keys(os.networkInterfaces()).filter((n) => n !== 'lo')
  for (const nic of nics) assert.ok(second.metrics.some((m) => m.name === `net.rx_bps[${nic}]`), nic)
})

test('real facts: memory total, uptime, load and the root file system match what the OS says', async () => {
  const { metrics } = await createStatusCollector().sample()
  assert.equal(value(metrics, 'mem.total_bytes'), os.totalmem())
  const uptime = value(metrics, 'system.uptime_s') ?? -1
  assert.ok(Math.abs(uptime - os.uptime()) <= 2, `${uptime} vs ${os.uptime()}`)
  assert.ok(Math.abs((value(metrics, 'load.15m') ?? -1) - (os.loadavg()[2] ?? 0)) < 0.5)
  const st = fs.statfsSync('/')
  assert.equal(value(metrics, 'fs.size_bytes[/]'), st.blocks * st.bsize)
  const pct = value(metrics, 'fs.used_pct[/]') ?? -1
  assert.ok(pct > 0 && pct <= 100, `root used ${pct}%`)
})

test('a TCP server and a UDP socket this test opens show up as listening, owned by this process', async (t) => {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => server.close())
  const udp = dgram.createSocket('udp4')
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve))
  t.after(() => udp.close())
  const tcpPort = (server.address() as net.AddressInfo).port
  const udpPort = udp.address().port
  const { snapshot } = await createStatusCollector().sample()
  const tcp = snapshot.listeningPorts.find((p) => p.protocol === 'tcp' && p.port === tcpPort)
  assert.deepEqual(tcp, { protocol: 'tcp', address: '127.0.0.1', port: tcpPort, process: selfComm() })
  const u = snapshot.listeningPorts.find((p) => p.protocol === 'udp' && p.port === udpPort)
  assert.deepEqual(u, { protocol: 'udp', address: '127.0.0.1', port: udpPort, process: selfComm() })
})

test('a socket opened after the first sample is resolved on the next one, and a closed one disappears', async (t) => {
  const c = createStatusCollector()
  await c.sample()
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  const during = await c.sample()
  assert.equal(during.snapshot.listeningPorts.find((p) => p.port === port && p.protocol === 'tcp')?.process, selfComm())
  await new Promise<void>((resolve) => server.close(() => resolve()))
  const after = await c.sample()
  assert.equal(after.snapshot.listeningPorts.find((p) => p.port === port && p.protocol === 'tcp'), undefined)
  t.diagnostic(`port ${port}`)
})

test('this node process appears among the top processes when it is busy', async () => {
  const c = createStatusCollector()
  await c.sample()
  burnCpu(300)
  const { snapshot } = await c.sample()
  const me = snapshot.processes.find((p) => p.pid === process.pid)
  assert.ok(me !== undefined, 'busy test process is listed')
  assert.ok(me.cpuPct > 0)
  assert.equal(me.name, selfComm())
  assert.equal(me.user, os.userInfo().username)
  assert.ok(me.memBytes > 10 * 1024 * 1024, `rss ${me.memBytes}`)
  const cmdline = fs.readFileSync('/proc/self/cmdline', 'utf8').replace(/\0+$/, '').replaceAll('\0', ' ')
  assert.equal(me.command, cmdline.slice(0, 1024))
  assert.ok(snapshot.processes.length <= 50)
  for (let i = 1; i < snapshot.processes.length; i++) {
    assert.ok((snapshot.processes[i - 1]?.cpuPct ?? 0) >= (snapshot.processes[i]?.cpuPct ?? 0), 'sorted by CPU')
  }
})

test('status sampling and threshold sampling spawn no child process', async (t) => {
  let spawned = 0
  const onSpawn = (): void => { spawned++ }
  dc.subscribe('child_process', onSpawn)
  t.after(() => dc.unsubscribe('child_process', onSpawn))
  // The channel does see spawns: a known one is counted.
  await new Promise<void>((resolve, reject) => execFile(process.execPath, ['-e', ''], (err) => (err === null ? resolve() : reject(err))))
  assert.equal(spawned, 1)
  spawned = 0
  const c = createStatusCollector()
  await c.sample()
  await c.sample()
  await sampleThresholdMetrics()
  assert.equal(spawned, 0)
})

test('overlapping sample calls share one sample instead of computing rates over microseconds', async () => {
  const c = createStatusCollector()
  await c.sample()
  const [a, b] = await Promise.all([c.sample(), c.sample()])
  assert.equal(a, b)
})

test('sampleThresholdMetrics on the real machine gives memory and the root file system', async () => {
  const metrics = await sampleThresholdMetrics()
  for (const m of metrics) validate(Metric, m, m.name)
  assert.equal(value(metrics, 'mem.total_bytes'), os.totalmem())
  assert.ok(value(metrics, 'fs.used_pct[/]') !== undefined)
  assert.ok(value(metrics, 'mem.used_pct') !== undefined)
})
