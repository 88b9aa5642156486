import { AlertScope, SilenceInput } from '@outpost/protocol'
import { firstProblem } from '../api/check.ts'

/** The maintenance form's fields, as the inputs hold them. */
export interface SilenceDraft {
  readonly scopeType: AlertScope['type']
  readonly scopeValue: string
  /** A rule id, or '' for every rule. */
  readonly ruleId: string
  /** `datetime-local` values (local time, `YYYY-MM-DDTHH:mm`). */
  readonly startsAt: string
  readonly endsAt: string
  readonly reason: string
}

/** `YYYY-MM-DDTHH:mm` in local time, what a `datetime-local` input holds. */
export function localInputValue (ms: number): string {
  const d = new Date(ms)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

/** A window starting at the next full hour, two hours long. */
export function emptySilenceDraft (now = Date.now()): SilenceDraft {
  const start = Math.ceil(now / 3600_000) * 3600_000
  return { scopeType: 'all', scopeValue: '', ruleId: '', startsAt: localInputValue(start), endsAt: localInputValue(start + 2 * 3600_000), reason: '' }
}

// A start a little in the past still counts as "now" (the minute the form was filled in).
const GRACE_MS = 5 * 60_000

/**
 * The API body for a draft, checked against the protocol schema and for times that make sense
 * (end after start, both still ahead), or the first problem in words.
 */
export function silenceInputOf (d: SilenceDraft, now = Date.now()): { ok: true, input: SilenceInput } | { ok: false, error: string } {
  const start = new Date(d.startsAt).getTime()
  const end = new Date(d.endsAt).getTime()
  if (Number.isNaN(start)) return { ok: false, error: 'Start: enter a date and time.' }
  if (Number.isNaN(end)) return { ok: false, error: 'End: enter a date and time.' }
  if (start < now - GRACE_MS) return { ok: false, error: 'Start: must not be in the past.' }
  if (end <= start) return { ok: false, error: 'End: must be after the start.' }
  const v = d.scopeValue.trim()
  const scope = d.scopeType === 'group' ? { type: 'group', group: v } : d.scopeType === 'host' ? { type: 'host', hostId: v } : { type: 'all' }
  const input = {
    scope, ...(d.ruleId === '' ? {} : { ruleId: d.ruleId }),
    startsAt: new Date(start).toISOString(), endsAt: new Date(end).toISOString(), reason: d.reason.trim()
  }
  const scopeProblem = scopeProblemOf(scope)
  if (scopeProblem !== undefined) return { ok: false, error: `${d.scopeType === 'group' ? 'Group' : 'Host id'}: ${scopeProblem}` }
  const p = firstProblem(SilenceInput, input)
  if (p === undefined) return { ok: true, input: input as SilenceInput }
  return { ok: false, error: `${p.path.startsWith('reason') ? 'Reason' : p.path}: ${p.message}` }
}

/** The first problem of a scope, checked against the variant it names. */
function scopeProblemOf (scope: { type: string }): string | undefined {
  const variant = AlertScope.anyOf.find(v => v.properties.type.const === scope.type)
  return variant === undefined ? 'unknown scope' : firstProblem(variant, scope)?.message
}
