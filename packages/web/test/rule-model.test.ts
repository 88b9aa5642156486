import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { AlertRule, Silence } from '@outpost/protocol'
import { draftOf, EMPTY_DRAFT, ruleInputOf } from '../src/model/rule-draft.ts'
import { conditionText, silenceState } from '../src/model/rule-text.ts'
import { emptySilenceDraft, localInputValue, silenceInputOf } from '../src/model/silence-draft.ts'

const FS_RULE: AlertRule = {
  id: 'default-filesystem-full', name: 'Filesystem full', enabled: true, severity: 'critical', scope: { type: 'all' },
  condition: { type: 'metric-threshold', metric: 'fs.used_pct[*]', op: '>=', value: 90, forMs: 0 },
  notify: { emails: [], webhooks: [] }, repeatIntervalMs: 4 * 3600_000, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z'
}

test('conditions read as words', () => {
  assert.equal(conditionText(FS_RULE.condition), 'fs.used_pct[*] ≥ 90 for 0 s')
  assert.equal(conditionText({ type: 'metric-threshold', metric: 'load.5m', op: '>', value: 2, forMs: 300_000, perCore: true }), 'load.5m > 2 × cores for 5 min')
  assert.equal(conditionText({ type: 'host-offline', missedIntervals: 3 }), 'no report for 3 intervals')
})

test('a rule round-trips through the form unchanged, an agent-event condition included', () => {
  const { id: _i, createdAt: _c, updatedAt: _u, ...input } = FS_RULE
  assert.deepEqual(ruleInputOf(draftOf(FS_RULE)), { ok: true, input })
  const ev: AlertRule = { ...FS_RULE, condition: { type: 'agent-event', event: '*', minSeverity: 'warning' } }
  const r = ruleInputOf(draftOf(ev))
  assert.ok(r.ok && r.input.condition.type === 'agent-event', 'a condition the form does not edit is kept')
})

test('the rule form refuses bad input before sending, naming the field', () => {
  const base = { ...EMPTY_DRAFT, name: 'x', metric: 'cpu.used_pct', value: '80' }
  assert.equal(ruleInputOf(base).ok, true)
  const cases: Array<[Partial<typeof base>, RegExp]> = [
    [{ metric: 'cpu; rm -rf /' }, /^Metric: /],
    [{ value: '' }, /^Threshold: /],
    [{ value: 'abc' }, /^Threshold: /],
    [{ forSeconds: '-1' }, /^For \(seconds\): /],
    [{ name: '  ' }, /^Name: /],
    [{ emails: 'ops@example.test, not-an-email' }, /^E-mails: /],
    [{ webhooks: 'javascript:alert(1)' }, /^Webhooks: /],
    [{ scopeType: 'host', scopeValue: '../etc' }, /^Scope: /],
    [{ condType: 'host-offline', missedIntervals: '0' }, /^Missed intervals: /],
    [{ repeatMinutes: '1.5e9' }, /^Repeat every/]
  ]
  for (const [patch, re] of cases) {
    const r = ruleInputOf({ ...base, ...patch })
    assert.ok(!r.ok && re.test(r.error), `${JSON.stringify(patch)} → ${JSON.stringify(r)}`)
  }
})

test('a maintenance window must lie ahead, end after it starts, and name its scope', () => {
  const now = Date.parse('2026-06-01T12:00:00Z')
  const d = { ...emptySilenceDraft(now), reason: 'upgrade' }
  const ok = silenceInputOf(d, now)
  assert.ok(ok.ok && Date.parse(ok.input.startsAt) >= now && Date.parse(ok.input.endsAt) > Date.parse(ok.input.startsAt))
  assert.match(String((silenceInputOf({ ...d, startsAt: localInputValue(now - 3600_000) }, now) as { error?: string }).error), /^Start: /)
  assert.match(String((silenceInputOf({ ...d, endsAt: d.startsAt }, now) as { error?: string }).error), /^End: /)
  assert.match(String((silenceInputOf({ ...d, reason: ' ' }, now) as { error?: string }).error), /^Reason: /)
  assert.match(String((silenceInputOf({ ...d, scopeType: 'group', scopeValue: '' }, now) as { error?: string }).error), /^Group: /)
})

test('a silence is scheduled before its start, active until its end, then ended', () => {
  const s: Silence = { id: 's1', scope: { type: 'all' }, ruleId: null, startsAt: '2026-06-02T00:00:00Z', endsAt: '2026-06-02T02:00:00Z', reason: 'r', createdBy: 'a', createdAt: '2026-06-01T00:00:00Z' }
  assert.equal(silenceState(s, Date.parse('2026-06-01T23:00:00Z')), 'scheduled')
  assert.equal(silenceState(s, Date.parse('2026-06-02T01:00:00Z')), 'active')
  assert.equal(silenceState(s, Date.parse('2026-06-02T02:00:00Z')), 'ended')
})
