import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AgentEvent, validate, type Metric } from '@outpost/protocol'
import { ThresholdWatcher } from '../src/collectors/index.ts'
import { AgentErrorCode, DEFAULT_THRESHOLDS, type ThresholdRule } from '../src/index.ts'

const m = (name: string, value: number): Metric => ({ name, value })
const T0 = 1_700_000_000_000

test('a crossing gives one event with the rule severity, and it is not repeated while it holds', () => {
  const w = new ThresholdWatcher([{ metric: 'mem.used_pct', op: '>=', value: 95, severity: 'critical' }])
  assert.deepEqual(w.check([m('mem.used_pct', 50)], T0), [])
  const [ev, ...rest] = w.check([m('mem.used_pct', 95)], T0 + 1)
  assert.equal(rest.length, 0)
  assert.deepEqual({ ...ev, message: undefined }, { name: 'threshold.crossed', severity: 'critical', time: T0 + 1, metric: 'mem.used_pct', value: 95, threshold: 95, message: undefined })
  validate(AgentEvent, ev)
  assert.deepEqual(w.check([m('mem.used_pct', 99)], T0 + 2), [])
  assert.deepEqual(w.check([m('mem.used_pct', 96)], T0 + 3), [])
})

test('coming back gives one cleared event at severity info, not repeated; a new crossing fires again', () => {
  const w = new ThresholdWatcher([{ metric: 'mem.used_pct', op: '>', value: 90, severity: 'warning' }])
  assert.equal(w.check([m('mem.used_pct', 91)], T0).length, 1)
  const cleared = w.check([m('mem.used_pct', 90)], T0 + 5)
  assert.equal(cleared.length, 1)
  assert.equal(cleared[0]?.name, 'threshold.cleared')
  assert.equal(cleared[0]?.severity, 'info')
  assert.equal(cleared[0]?.value, 90)
  validate(AgentEvent, cleared[0])
  assert.deepEqual(w.check([m('mem.used_pct', 10)], T0 + 6), [])
  assert.equal(w.check([m('mem.used_pct', 92)], T0 + 7)[0]?.name, 'threshold.crossed')
})

test('[*] matches every instance of the metric, each tracked on its own', () => {
  const w = new ThresholdWatcher([{ metric: 'fs.used_pct[*]', op: '>=', value: 90, severity: 'critical' }])
  const evs = w.check([m('fs.used_pct[/]', 91), m('fs.used_pct[/var]', 50), m('fs.used_pct[/srv]', 99)], T0)
  assert.deepEqual(evs.map((e) => e.metric), ['fs.used_pct[/]', 'fs.used_pct[/srv]'])
  assert.deepEqual(w.check([m('fs.used_pct[/]', 91), m('fs.used_pct[/var]', 95), m('fs.used_pct[/srv]', 20)], T0 + 1)
    .map((e) => `${e.name} ${e.metric}`), ['threshold.crossed fs.used_pct[/var]', 'threshold.cleared fs.used_pct[/srv]'])
})

test('[*] does not match the bare name, another metric sharing the prefix, or an empty instance', () => {
  const w = new ThresholdWatcher([{ metric: 'fs.used_pct[*]', op: '>=', value: 1, severity: 'warning' }])
  assert.deepEqual(w.check([m('fs.used_pct', 100), m('fs.used_pct_total[/]', 100), m('fs.inodes_used_pct[/]', 100), m('fs.used_pct[]', 100)], T0), [])
})

test('an exact rule matches only its own instance', () => {
  const w = new ThresholdWatcher([{ metric: 'fs.used_pct[/var]', op: '>=', value: 80, severity: 'warning' }])
  assert.deepEqual(w.check([m('fs.used_pct[/]', 99), m('fs.used_pct[/var/log]', 99)], T0), [])
  assert.equal(w.check([m('fs.used_pct[/var]', 99)], T0).length, 1)
})

test('several rules on one metric cross and clear independently with their own severities', () => {
  const w = new ThresholdWatcher(DEFAULT_THRESHOLDS)
  const seq = (v: number, t: number): string[] => w.check([m('fs.used_pct[/data]', v)], t).map((e) => `${e.name}:${e.severity}:${e.threshold}`)
  assert.deepEqual(seq(80, T0), ['threshold.crossed:warning:75'])
  assert.deepEqual(seq(92, T0 + 1), ['threshold.crossed:critical:90'])
  assert.deepEqual(seq(93, T0 + 2), [])
  assert.deepEqual(seq(85, T0 + 3), ['threshold.cleared:info:90'])
  assert.deepEqual(seq(50, T0 + 4), ['threshold.cleared:info:75'])
  // A jump over both thresholds at once reports both.
  assert.deepEqual(seq(99, T0 + 5), ['threshold.crossed:warning:75', 'threshold.crossed:critical:90'])
})

test('every operator is honoured exactly at the boundary', () => {
  const cases: [ThresholdRule['op'], number, boolean][] = [['>=', 10, true], ['>', 10, false], ['<=', 10, true], ['<', 10, false], ['<', 9.99, true]]
  for (const [op, value, fires] of cases) {
    const w = new ThresholdWatcher([{ metric: 'load.1m', op, value: 10, severity: 'info' }])
    assert.equal(w.check([m('load.1m', value)], T0).length, fires ? 1 : 0, `${value} ${op} 10`)
  }
})

test('a metric missing from a check keeps its state; NaN is ignored', () => {
  const w = new ThresholdWatcher([{ metric: 'mem.used_pct', op: '>=', value: 95, severity: 'critical' }])
  assert.equal(w.check([m('mem.used_pct', 97)], T0).length, 1)
  assert.deepEqual(w.check([], T0 + 1), [])
  assert.deepEqual(w.check([m('mem.used_pct', Number.NaN)], T0 + 2), [])
  assert.deepEqual(w.check([m('mem.used_pct', 97)], T0 + 3), [])
  assert.equal(w.check([m('mem.used_pct', 3)], T0 + 4)[0]?.name, 'threshold.cleared')
})

test('event time is a non-negative integer even for fractional or negative clocks', () => {
  const w = new ThresholdWatcher([{ metric: 'load.1m', op: '>', value: 1, severity: 'warning' }])
  assert.equal(w.check([m('load.1m', 2)], 1234.9)[0]?.time, 1234)
  const w2 = new ThresholdWatcher([{ metric: 'load.1m', op: '>', value: 1, severity: 'warning' }])
  validate(AgentEvent, w2.check([m('load.1m', 2)], -5)[0])
})

test('rules are validated and copied: a bad rule fails with AGENT_ERR_CONFIG, later edits have no effect', () => {
  assert.throws(() => new ThresholdWatcher([{ metric: 'x', op: '==', value: 1, severity: 'warning' } as unknown as ThresholdRule]),
    (err: unknown) => (err as { code?: string }).code === AgentErrorCode.Config)
  const rules: ThresholdRule[] = [{ metric: 'load.1m', op: '>', value: 5, severity: 'warning' }]
  const w = new ThresholdWatcher(rules)
  ;(rules[0] as { value: number }).value = 100
  assert.equal(w.check([m('load.1m', 6)], T0).length, 1)
})

test('a flood of distinct crossed instances stays bounded', () => {
  const w = new ThresholdWatcher([{ metric: 'fs.used_pct[*]', op: '>=', value: 1, severity: 'warning' }])
  const many = Array.from({ length: 5000 }, (_, i) => m(`fs.used_pct[/m${i}]`, 50))
  assert.equal(w.check(many, T0).length, 5000)
  // The oldest entries were forgotten, so they cross again; the newest are still held.
  assert.equal(w.check([m('fs.used_pct[/m0]', 50)], T0 + 1).length, 1)
  assert.equal(w.check([m('fs.used_pct[/m4999]', 50)], T0 + 1).length, 0)
})
