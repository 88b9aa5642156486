import type { AlertCondition, AlertRule, AlertScope, Silence } from '@outpost/protocol'
import { duration } from './format.ts'

const OPS = { '>=': '≥', '>': '>', '<=': '≤', '<': '<' } as const

/** A condition in words: `fs.used_pct[*] ≥ 90 for 0 s`, `no report for 3 intervals`. */
export function conditionText (c: AlertCondition): string {
  switch (c.type) {
    case 'metric-threshold':
      return `${c.metric} ${OPS[c.op]} ${c.value}${c.perCore === true ? ' × cores' : ''} for ${seconds(c.forMs)}`
    case 'host-offline': return `no report for ${c.missedIntervals} interval${c.missedIntervals === 1 ? '' : 's'}`
    case 'relay-unreachable': return `hosts behind a silent relay unreachable for ${c.missedIntervals} interval${c.missedIntervals === 1 ? '' : 's'}`
    case 'instruction-failed': return 'an instruction failed'
    case 'agent-event': return `agent event ${c.event} at ${c.minSeverity} or worse`
  }
}

/** `0 s`, `45 s`, `5 min`, `1 h 30 min`. */
export function seconds (ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 60 || s % 60 !== 0 ? `${s} s` : duration(s).replace(/ 0 min$/, '')
}

/** A scope in words: `all hosts`, `group web`, `host abc`. */
export function scopeText (s: AlertScope, hostName?: (id: string) => string | undefined): string {
  if (s.type === 'all') return 'all hosts'
  if (s.type === 'group') return `group ${s.group}`
  return `host ${hostName?.(s.hostId) ?? s.hostId}`
}

/** Where a rule's notices go, in words. */
export function notifyText (r: AlertRule): string {
  const parts = [...r.notify.emails, ...r.notify.webhooks]
  return parts.length === 0 ? 'nobody (shown in the console only)' : parts.join(', ')
}

/** How often a firing alert is notified again. */
export function repeatText (ms: number): string {
  return ms === 0 ? 'never' : `every ${seconds(ms)}`
}

/** Where a silence stands at `now`. */
export type SilenceState = 'active' | 'scheduled' | 'ended'

/** Active between its start and end, scheduled before, ended after. */
export function silenceState (s: Silence, now = Date.now()): SilenceState {
  if (Date.parse(s.endsAt) <= now) return 'ended'
  return Date.parse(s.startsAt) > now ? 'scheduled' : 'active'
}

/** The label shown for a silence state. */
export const SILENCE_STATE_TEXT: Readonly<Record<SilenceState, string>> = { active: 'active now', scheduled: 'scheduled', ended: 'ended' }
