import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ProcessListEntry } from '@outpost/protocol'
import { frameIndexAt, parseAsciicast } from '../src/model/asciicast.ts'
import { base64ToBytes, breadcrumbs, bytesAsText, joinPath, parentDir, textToBase64 } from '../src/model/file-content.ts'
import { EMPTY_JOB, jobProgress, jobRequest } from '../src/model/job-draft.ts'
import { visibleProcesses } from '../src/model/process-table.ts'
import { ApiError } from '../src/api/api-error.ts'
import { opErrorText } from '../src/model/op-errors.ts'

test('asciicast v2: header, output frames in time order; input, markers and broken lines skipped', () => {
  const text = [
    JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1 }),
    JSON.stringify([0.5, 'o', 'b']), JSON.stringify([0.1, 'o', 'a']), JSON.stringify([0.2, 'i', 'typed']),
    JSON.stringify([0.3, 'm', 'mark']), '{not json', JSON.stringify([0.9, 'r', '100x30']), ''
  ].join('\n')
  const cast = parseAsciicast(text)
  assert.deepEqual(cast.header, { width: 80, height: 24, timestamp: 1 })
  assert.deepEqual(cast.frames.map(f => f.data), ['a', 'b'])
  assert.equal(cast.duration, 0.5)
  assert.equal(frameIndexAt(cast.frames, 0.1), 1)
  assert.equal(frameIndexAt(cast.frames, 0), 0)
  assert.equal(frameIndexAt(cast.frames, 9), 2)
  assert.throws(() => parseAsciicast('{"version":1,"width":80,"height":24}'), /version 2/)
  assert.throws(() => parseAsciicast('nope'), /header/)
})

test('file content: UTF-8 text round-trips through base64; NUL bytes or invalid UTF-8 are binary', () => {
  const text = 'héllo\nwörld ✓\n'
  assert.equal(bytesAsText(base64ToBytes(textToBase64(text))), text)
  assert.equal(bytesAsText(new Uint8Array([104, 0, 105])), null)
  assert.equal(bytesAsText(new Uint8Array([0xff, 0xfe, 0x41])), null)
  const big = 'x'.repeat(200_000)
  assert.equal(bytesAsText(base64ToBytes(textToBase64(big))), big)
})

test('paths: breadcrumbs, join and parent', () => {
  assert.deepEqual(breadcrumbs('/etc/ssh'), [{ label: '/', path: '/' }, { label: 'etc', path: '/etc' }, { label: 'ssh', path: '/etc/ssh' }])
  assert.deepEqual(breadcrumbs('/'), [{ label: '/', path: '/' }])
  assert.equal(joinPath('/', 'etc'), '/etc')
  assert.equal(joinPath('/etc', 'hosts'), '/etc/hosts')
  assert.equal(parentDir('/etc/hosts'), '/etc')
  assert.equal(parentDir('/etc'), '/')
})

test('processes: filter by name, user or pid; sort by cpu and memory, biggest first', () => {
  const p = (pid: number, name: string, cpuPct: number, memBytes: number, user = 'root'): ProcessListEntry => ({ pid, ppid: 1, user, name, state: 'S', cpuPct, memBytes, command: `/usr/bin/${name}` })
  const all = [p(10, 'nginx', 1, 500), p(20, 'postgres', 9, 100, 'postgres'), p(30, 'bash', 0.5, 900)]
  assert.deepEqual(visibleProcesses(all, '', 'cpu').map(x => x.pid), [20, 10, 30])
  assert.deepEqual(visibleProcesses(all, '', 'mem').map(x => x.pid), [30, 10, 20])
  assert.deepEqual(visibleProcesses(all, 'POST', 'pid').map(x => x.pid), [20])
  assert.deepEqual(visibleProcesses(all, '30', 'pid').map(x => x.pid), [30])
  assert.deepEqual(visibleProcesses(all, '', 'name').map(x => x.name), ['bash', 'nginx', 'postgres'])
})

test('job draft: a command job for hosts and groups; problems are said in words', () => {
  const ok = jobRequest({ ...EMPTY_JOB, name: ' rotate ', command: 'logrotate -f "/etc/log rotate.conf"', hostIds: ['h1'], groups: ['web'] })
  assert.ok('request' in ok)
  assert.deepEqual(ok.request, { name: 'rotate', target: { hostIds: ['h1'], groups: ['web'] }, action: { type: 'exec', argv: ['logrotate', '-f', '/etc/log rotate.conf'] } })
  const file = jobRequest({ ...EMPTY_JOB, name: 'motd', kind: 'file', filePath: '/etc/motd', fileText: 'hi\n', groups: ['web'], runAt: '2030-01-01T10:00', expiresAt: '2030-01-02T10:00' })
  assert.ok('request' in file)
  assert.deepEqual(file.request.action, { type: 'file', path: '/etc/motd', contentBase64: 'aGkK' })
  assert.equal(file.request.runAt, new Date('2030-01-01T10:00').toISOString())
  assert.deepEqual(jobRequest({ ...EMPTY_JOB, command: 'x', hostIds: ['h'] }), { problem: 'Give the job a name.' })
  assert.deepEqual(jobRequest({ ...EMPTY_JOB, name: 'n', command: 'x' }), { problem: 'Pick at least one host or group.' })
  assert.match(String((jobRequest({ ...EMPTY_JOB, name: 'n', command: '"open', hostIds: ['h'] }) as { problem: string }).problem), /unclosed/)
  assert.match(String((jobRequest({ ...EMPTY_JOB, name: 'n', kind: 'file', filePath: 'rel', hostIds: ['h'] }) as { problem: string }).problem), /absolute/)
  assert.match(String((jobRequest({ ...EMPTY_JOB, name: 'n', command: 'x', hostIds: ['h'], runAt: '2030-01-02T10:00', expiresAt: '2030-01-01T10:00' }) as { problem: string }).problem), /after the start/)
  const counts = { total: 4, pending: 1, completed: 2, failed: 1, rejected: 0, expired: 0, cancelled: 0 }
  assert.equal(jobProgress({ id: 'j', name: 'n', createdBy: 'u', createdAt: '', runAt: '', expiresAt: '', state: 'running', actionType: 'exec', counts }), 75)
})

test('operation errors keep the code and explain the known ones', () => {
  const t = opErrorText(new ApiError('AGENT_ERR_SERVICE_MANAGER', 0, 'systemctl not found'))
  assert.match(t, /no service manager/)
  assert.match(t, /systemctl not found \(AGENT_ERR_SERVICE_MANAGER\)/)
  assert.equal(opErrorText(new ApiError('HUB_ERR_X', 400, 'bad')), 'bad (HUB_ERR_X)')
})
