import { randomId, type Alert, type AlertRule, type AlertRuleInput, type AlertState, type Silence, type SilenceInput } from '@outpost/protocol'
import type { Store } from '../store/store.ts'
import type { AlertRecord, AlertRuleRecord } from '../store/alert-store.ts'
import type { Actor, AuditLog } from '../audit/audit-log.ts'
import { HubError, HubErrorCode } from '../errors.ts'
import { checkWebhookUrl } from '../notify/webhook-transport.ts'
import type { AlertLifecycle } from './alert-lifecycle.ts'
import type { OpenAlerts } from './open-alerts.ts'
import type { RuleBook } from './rule-book.ts'
import { alertView, ruleView, silenceView } from './alert-views.ts'

/** Audited verbs of the alert API. */
export const AlertAuditAction = {
  RuleCreate: 'alert-rule.create',
  RuleUpdate: 'alert-rule.update',
  RuleDelete: 'alert-rule.delete',
  Ack: 'alert.ack',
  SilenceCreate: 'silence.create',
  SilenceDelete: 'silence.delete'
} as const

/** Alerts listed when the query names no limit, and the most one query returns. */
export const DEFAULT_ALERT_LIMIT = 200
export const MAX_ALERT_LIMIT = 5000

/** What the admin side is built from. */
export interface AlertAdminDeps {
  readonly store: Store
  readonly audit: AuditLog
  readonly rules: RuleBook
  readonly open: OpenAlerts
  readonly lifecycle: AlertLifecycle
  readonly now: () => number
}

/** Alert rules, alerts and silences as the operator API manages them; every change is audited. */
export class AlertAdmin {
  readonly #d: AlertAdminDeps

  constructor (deps: AlertAdminDeps) {
    this.#d = deps
  }

  async listRules (): Promise<AlertRule[]> {
    return (await this.#d.store.alerts.listRules()).map(ruleView)
  }

  async createRule (input: AlertRuleInput, actor: Actor): Promise<AlertRule> {
    checkRule(input)
    const now = this.#d.now()
    const rec: AlertRuleRecord = { id: randomId(12), ...input, createdAt: now, updatedAt: now }
    await this.#d.store.alerts.createRule(rec)
    await this.#d.audit.record({ actor, action: AlertAuditAction.RuleCreate, target: `alert-rule:${rec.id}`, result: 'ok', detail: { rule: input } })
    await this.#d.rules.changed(now)
    return ruleView(rec)
  }

  async updateRule (id: string, input: AlertRuleInput, actor: Actor): Promise<AlertRule> {
    checkRule(input)
    const before = await this.#ruleOr404(id, actor, AlertAuditAction.RuleUpdate)
    const now = this.#d.now()
    const rec: AlertRuleRecord = { ...before, ...input, id, updatedAt: now }
    if (!await this.#d.store.alerts.updateRule(rec)) throw new HubError(HubErrorCode.NotFound, 'no such alert rule')
    await this.#d.audit.record({ actor, action: AlertAuditAction.RuleUpdate, target: `alert-rule:${id}`, result: 'ok', detail: { rule: input } })
    await this.#d.rules.changed(now)
    return ruleView(rec)
  }

  /** Deletes a rule; its open alerts resolve at the next sweep, without a notice. */
  async deleteRule (id: string, actor: Actor): Promise<void> {
    await this.#ruleOr404(id, actor, AlertAuditAction.RuleDelete)
    if (!await this.#d.store.alerts.deleteRule(id)) throw new HubError(HubErrorCode.NotFound, 'no such alert rule')
    await this.#d.audit.record({ actor, action: AlertAuditAction.RuleDelete, target: `alert-rule:${id}`, result: 'ok' })
    await this.#d.rules.changed(this.#d.now())
  }

  async listAlerts (q: { state?: AlertState | 'open', hostId?: string, limit?: number }): Promise<Alert[]> {
    const limit = Math.min(q.limit ?? DEFAULT_ALERT_LIMIT, MAX_ALERT_LIMIT)
    const list = await this.#d.store.alerts.listAlerts({ ...q, limit })
    const now = this.#d.now()
    return Promise.all(list.map(async a => alertView(a, a.state !== 'resolved' && await this.#d.lifecycle.silenced(a, now))))
  }

  /**
   * Acknowledges a firing alert (no more repeats). Alerts of events (`instruction-failed`,
   * `agent-event`) have no condition that could clear, so acknowledging resolves them. An alert
   * no longer firing is answered as it stands.
   */
  async acknowledge (id: string, actor: Actor, comment: string | undefined): Promise<Alert> {
    const a = await this.#d.store.alerts.getAlert(id)
    if (a === undefined) {
      await this.#d.audit.record({ actor, action: AlertAuditAction.Ack, target: `alert:${id}`, result: HubErrorCode.NotFound })
      throw new HubError(HubErrorCode.NotFound, 'no such alert')
    }
    const now = this.#d.now()
    let after: AlertRecord | undefined
    if (a.state === 'firing') {
      const type = this.#d.rules.rule(a.ruleId)?.condition.type
      after = type === 'metric-threshold' || type === 'host-offline' || type === 'relay-unreachable'
        ? await this.#d.lifecycle.acknowledge(a, actor, now)
        : await this.#d.lifecycle.resolve(a, now, { by: actor })
      if (after !== undefined) this.#d.open.note(after)
    }
    await this.#d.audit.record({ actor, action: AlertAuditAction.Ack, target: `alert:${id}`, result: after === undefined ? 'unchanged' : 'ok', detail: { state: (after ?? a).state, ...(comment === undefined ? {} : { comment }) } })
    const shown = after ?? await this.#d.store.alerts.getAlert(id) ?? a
    return alertView(shown, shown.state !== 'resolved' && await this.#d.lifecycle.silenced(shown, now))
  }

  async listSilences (): Promise<Silence[]> {
    return (await this.#d.store.alerts.listSilences()).map(silenceView)
  }

  /** A silence from now, or a maintenance window scheduled ahead; one already over is refused. */
  async createSilence (input: SilenceInput, actor: Actor): Promise<Silence> {
    const now = this.#d.now()
    const startsAt = Date.parse(input.startsAt)
    const endsAt = Date.parse(input.endsAt)
    if (!(endsAt > startsAt)) throw new HubError(HubErrorCode.BadRequest, '"endsAt" must be after "startsAt"')
    if (endsAt <= now) throw new HubError(HubErrorCode.BadRequest, 'the silence would already be over')
    const rec = { id: randomId(12), scope: input.scope, ruleId: input.ruleId ?? null, startsAt, endsAt, reason: input.reason, createdBy: actor, createdAt: now }
    await this.#d.store.alerts.createSilence(rec)
    await this.#d.audit.record({ actor, action: AlertAuditAction.SilenceCreate, target: `silence:${rec.id}`, result: 'ok', detail: { silence: input } })
    await this.#d.rules.changed(now)
    return silenceView(rec)
  }

  async deleteSilence (id: string, actor: Actor): Promise<void> {
    const deleted = await this.#d.store.alerts.deleteSilence(id)
    await this.#d.audit.record({ actor, action: AlertAuditAction.SilenceDelete, target: `silence:${id}`, result: deleted ? 'ok' : HubErrorCode.NotFound })
    if (!deleted) throw new HubError(HubErrorCode.NotFound, 'no such silence')
    await this.#d.rules.changed(this.#d.now())
  }

  async #ruleOr404 (id: string, actor: Actor, action: string): Promise<AlertRuleRecord> {
    const r = await this.#d.store.alerts.getRule(id)
    if (r !== undefined) return r
    await this.#d.audit.record({ actor, action, target: `alert-rule:${id}`, result: HubErrorCode.NotFound })
    throw new HubError(HubErrorCode.NotFound, 'no such alert rule')
  }
}

/** What the schema cannot say: webhook URLs must parse as http(s) URLs. */
function checkRule (r: AlertRuleInput): void {
  for (const url of r.notify.webhooks) checkWebhookUrl(url)
}
