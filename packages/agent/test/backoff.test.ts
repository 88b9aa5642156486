import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Backoff, parseRetryAfter, sleep } from '../src/transport/backoff.ts'
import { jittered } from '../src/runtime/jitter.ts'

test('full jitter stays within [minMs, min(maxMs, minMs·2^n)] and the window grows', () => {
  const lo = new Backoff({ minMs: 100, maxMs: 5000 }, () => 0)
  const hi = new Backoff({ minMs: 100, maxMs: 5000 }, () => 0.999999)
  const lows = Array.from({ length: 10 }, () => lo.next())
  const highs = Array.from({ length: 10 }, () => hi.next())
  assert.ok(lows.every((d) => d === 100), `lows ${lows.join(',')}`)
  assert.deepEqual(highs, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000])
  hi.reset()
  assert.equal(hi.next(), 100)
})

test('random draws land inside the window', () => {
  const b = new Backoff({ minMs: 500, maxMs: 60_000 })
  for (let i = 0; i < 200; i++) {
    const cap = Math.min(60_000, 500 * 2 ** i)
    const d = b.next()
    assert.ok(d >= 500 && d <= cap, `attempt ${i}: ${d} not in [500, ${cap}]`)
  }
})

test('sleep waits for the back-off delay on the timer and aborts early', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const b = new Backoff({ minMs: 1000, maxMs: 8000 }, () => 0.5)
  b.next()
  const delay = b.next() // window [1000, 2000] → 1500
  assert.equal(delay, 1500)
  let done = false
  const p = sleep(delay).then(() => { done = true })
  t.mock.timers.tick(1499)
  await Promise.resolve()
  assert.equal(done, false)
  t.mock.timers.tick(1)
  await p
  assert.equal(done, true)
  const ac = new AbortController()
  const aborted = sleep(10_000, ac.signal)
  ac.abort(new Error('stop'))
  await assert.rejects(aborted, /stop/)
})

test('report intervals are jittered within ± jitter', () => {
  assert.equal(jittered(30_000, 0.2, () => 0), 24_000)
  assert.equal(jittered(30_000, 0.2, () => 1), 36_000)
  assert.equal(jittered(30_000, 0, () => 0.3), 30_000)
})

test('Retry-After is read as seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('7'), 7000)
  assert.equal(parseRetryAfter(new Date(10_000 + 3000).toUTCString(), 10_000), 3000)
  assert.equal(parseRetryAfter('soon'), undefined)
  assert.equal(parseRetryAfter(undefined), undefined)
})
