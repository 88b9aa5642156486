import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  AgentMessage, ProtocolError, parseJson, validate, isValid, ReportMessage, decodeEnrollToken, encodeEnrollToken,
  CreateCommandRequest, InstructionBody, MetricName, toWireError, fromWireError, OutpostError
} from '@outpost/protocol'

test('a valid report passes and keeps its type', () => {
  const msg = parseJson(AgentMessage, JSON.stringify({ type: 'report', seq: 1, time: 5, metrics: [{ name: 'fs.used_pct[/var]', value: 12.5 }] }))
  assert.equal(msg.type, 'report')
  if (msg.type === 'report') assert.equal(msg.metrics?.[0]?.value, 12.5)
})

test('invalid messages fail with PROTO_ERR_INVALID and a path to the fault', () => {
  const bad = [
    '', '{', 'null', '[]', '{"type":"report"}', '{"type":"report","seq":0,"time":1}',
    '{"type":"report","seq":1,"time":1,"extra":true}', '{"type":"nope"}',
    '{"type":"poll","waitMs":999999}', '{"type":"report","seq":1.5,"time":1}',
    '{"type":"report","seq":1,"time":1,"metrics":[{"name":"Bad Name","value":1}]}'
  ]
  for (const body of bad) {
    assert.throws(() => parseJson(AgentMessage, body), (err: unknown) => err instanceof ProtocolError && err.code === 'PROTO_ERR_INVALID' && err.statusCode === 400, body)
  }
  try {
    validate(ReportMessage, { type: 'report', seq: 1, time: 1, metrics: [{ name: 'x', value: 'high' }] })
    assert.fail('should throw')
  } catch (err) {
    assert.ok(err instanceof ProtocolError)
    assert.ok(Array.isArray(err.details) && err.details.length > 0)
  }
})

test('metric names follow the documented pattern', () => {
  for (const ok of ['cpu.util_pct', 'fs.used_pct[/]', 'net.rx_bps[eth0]', 'load.1m']) assert.ok(isValid(MetricName, ok), ok)
  for (const bad of ['', 'CPU', 'cpu..x', 'fs.used_pct[a]b', 'fs.used_pct[]', 'a[b[c]]']) assert.equal(isValid(MetricName, bad), false, bad)
})

test('enrollment tokens round-trip and damaged ones are refused', () => {
  const payload = { id: 'tok-12345', secret: 's'.repeat(32), url: 'https://hub.example:8443', fingerprint: 'ab'.repeat(32), expiresAt: 99 }
  const token = encodeEnrollToken(payload)
  assert.deepEqual(decodeEnrollToken(token), payload)
  for (const bad of ['', 'opt1_', 'opt1_!!!', 'xyz', 'opt1_' + Buffer.from('{"id":1}').toString('base64url'), token.slice(0, -4)]) {
    assert.throws(() => decodeEnrollToken(bad), (e: unknown) => e instanceof ProtocolError && e.code === 'PROTO_ERR_BAD_TOKEN', bad)
  }
})

test('operator command requests accept each instruction type and reject unknown fields', () => {
  assert.ok(isValid(CreateCommandRequest, { type: 'exec', argv: ['true'], timeoutMs: 100 }))
  assert.ok(isValid(CreateCommandRequest, { type: 'report-now', ttlMs: 60_000 }))
  assert.equal(isValid(CreateCommandRequest, { type: 'exec', argv: [] }), false)
  assert.equal(isValid(CreateCommandRequest, { type: 'exec', argv: ['x'], shell: true }), false)
})

test('process instructions: list takes nothing, signal takes a pid ≥ 2 and a known signal', () => {
  assert.ok(isValid(CreateCommandRequest, { type: 'process-list' }))
  assert.ok(isValid(CreateCommandRequest, { type: 'process-list', ttlMs: 60_000 }))
  assert.equal(isValid(CreateCommandRequest, { type: 'process-list', pid: 5 }), false)
  assert.ok(isValid(CreateCommandRequest, { type: 'process-signal', pid: 1234, signal: 'SIGTERM', ttlMs: 5000 }))
  for (const signal of ['SIGTERM', 'SIGKILL', 'SIGHUP', 'SIGINT', 'SIGUSR1', 'SIGUSR2']) {
    assert.ok(isValid(InstructionBody, { type: 'process-signal', pid: 2, signal }), signal)
  }
  // pid 0 and negative pids would signal process groups; pid 1 is init.
  for (const pid of [0, 1, -1, -1234, 2.5, '123', 2 ** 22 + 1]) {
    assert.equal(isValid(InstructionBody, { type: 'process-signal', pid, signal: 'SIGTERM' }), false, String(pid))
  }
  for (const signal of ['SIGSTOP', 'sigterm', '9', 9, 'TERM', '']) {
    assert.equal(isValid(CreateCommandRequest, { type: 'process-signal', pid: 100, signal }), false, String(signal))
  }
  assert.equal(isValid(CreateCommandRequest, { type: 'process-signal', pid: 100 }), false)
  assert.equal(isValid(CreateCommandRequest, { type: 'process-signal', pid: 100, signal: 'SIGTERM', all: true }), false)
})

test('errors cross the wire in one envelope, unknown errors without their message', () => {
  const known = new OutpostError('HUB_ERR_X', 'visible', { statusCode: 418 })
  assert.deepEqual(toWireError(known), { code: 'HUB_ERR_X', message: 'visible' })
  assert.deepEqual(toWireError(new Error('secret internal detail')), { code: 'ERR_INTERNAL', message: 'internal error' })
  const back = fromWireError({ code: 'HUB_ERR_X', message: 'visible' }, 418)
  assert.equal(back.code, 'HUB_ERR_X')
  assert.equal(back.statusCode, 418)
})
