import type { Logger } from 'pino'
import type { AgentEvent } from '@outpost/protocol'
import type { IngestReport } from '../store/store.ts'
import type { AlertRuleRecord, AlertStore } from '../store/alert-store.ts'
import type { AlertLifecycle, Finding } from './alert-lifecycle.ts'
import type { HostDirectory } from './host-directory.ts'
import type { RuleBook } from './rule-book.ts'
import type { OpenAlerts } from './open-alerts.ts'
import type { LivePublisher } from './live-publisher.ts'
import { atLeast, evaluateThreshold, inScope, type HostFacts } from './rule-match.ts'
import { PendingSince } from './pending-since.ts'

/** A command result as the engine hears of it. */
export interface FinishedCommand {
  readonly agentId: string
  readonly commandId: string
  readonly status: 'completed' | 'failed' | 'rejected'
  readonly exitCode: number | null
  readonly error: { readonly code: string, readonly message: string } | null
}

/** What the engine is built from. */
export interface EngineDeps {
  readonly store: AlertStore
  readonly rules: RuleBook
  readonly hosts: HostDirectory
  readonly open: OpenAlerts
  readonly lifecycle: AlertLifecycle
  readonly live: LivePublisher
  readonly log: Logger
}

/**
 * Evaluates rules against what the hub just committed: metric thresholds (with `forMs`) and
 * agent events on reports, failed instructions on results. One alert per (rule, host): several
 * instances breaching (`fs.used_pct[*]`) make one alert that names the worst.
 */
export class AlertEngine {
  readonly #d: EngineDeps
  readonly #pending = new PendingSince()

  constructor (deps: EngineDeps) {
    this.#d = deps
  }

  /** Evaluates a committed batch (reports of one host in their order). */
  async evaluateReports (reports: readonly IngestReport[]): Promise<void> {
    const byHost = new Map<string, IngestReport[]>()
    for (const r of reports) byHost.set(r.agentId, [...(byHost.get(r.agentId) ?? []), r])
    for (const [hostId, list] of byHost) {
      const host = await this.#d.hosts.get(hostId)
      if (host === undefined) continue
      for (const r of list) if (r.inventory !== undefined) this.#d.hosts.noteInventory(hostId, r.inventory)
      const facts = (await this.#d.hosts.get(hostId)) ?? host
      list.sort((a, b) => a.seq - b.seq)
      for (const rule of this.#d.rules.enabled('metric-threshold')) {
        if (inScope(rule.scope, facts)) await this.#threshold(rule, facts, list)
      }
      for (const r of list) for (const e of r.events) await this.#event(facts, e, r.receivedAt)
      this.#d.live.hostChanged(hostId)
    }
  }

  /** A command finished: failed or rejected opens `instruction-failed`; a success resolves it. */
  async commandFinished (c: FinishedCommand, at: number): Promise<void> {
    const host = await this.#d.hosts.get(c.agentId)
    if (host === undefined) return
    for (const rule of this.#d.rules.enabled('instruction-failed')) {
      if (!inScope(rule.scope, host)) continue
      if (c.status === 'completed') {
        await this.clear(rule.id, host.id, at)
      } else {
        const why = c.error?.message ?? (c.exitCode === null ? '' : `exit code ${c.exitCode}`)
        await this.raise(rule, host, { summary: `instruction ${c.commandId} ${c.status}${why === '' ? '' : `: ${why}`}`, metric: null, value: null }, at)
      }
    }
  }

  /** Forgets pending-since state of rules that no longer exist or are disabled. */
  prune (): void {
    this.#pending.keepRules(new Set(this.#d.rules.enabled('metric-threshold').map(r => r.id)))
  }

  async #threshold (rule: AlertRuleRecord & { condition: { type: 'metric-threshold' } }, host: HostFacts, reports: readonly IngestReport[]): Promise<void> {
    for (const r of reports) {
      const out = evaluateThreshold(rule.condition, r.metrics, host)
      if (out.kind === 'unknown') continue
      if (out.kind === 'clear') {
        this.#pending.clear(rule.id, host.id)
        await this.clear(rule.id, host.id, r.receivedAt)
        continue
      }
      const since = this.#pending.hold(rule.id, host.id, r.receivedAt)
      if (r.receivedAt - since >= rule.condition.forMs) {
        await this.raise(rule, host, { summary: out.summary, metric: out.metric, value: out.value }, r.receivedAt)
      }
    }
  }

  async #event (host: HostFacts, e: AgentEvent, at: number): Promise<void> {
    const clearing = e.name.endsWith('.cleared')
    for (const rule of this.#d.rules.enabled('agent-event')) {
      if (!inScope(rule.scope, host)) continue
      if (clearing) {
        // `x.cleared` for the metric an open event alert is about ends it (`threshold.crossed` → `threshold.cleared`).
        const open = this.#d.open.get(rule.id, host.id)
        if (open !== undefined && e.metric !== undefined && open.metric === e.metric) await this.clear(rule.id, host.id, at)
        continue
      }
      if ((rule.condition.event !== '*' && rule.condition.event !== e.name) || !atLeast(e.severity, rule.condition.minSeverity)) continue
      await this.raise(rule, host, { summary: `${e.name}: ${e.message}`.slice(0, 1024), metric: e.metric ?? null, value: e.value ?? null }, at)
    }
  }

  /** Opens the (rule, host) alert unless it is open. */
  async raise (rule: AlertRuleRecord, host: HostFacts, f: Finding, at: number): Promise<void> {
    if (this.#d.open.get(rule.id, host.id) !== undefined) return
    const opened = await this.#d.lifecycle.open(rule, host, f, at)
    if (opened !== undefined) this.#d.open.note(opened)
  }

  /** Resolves the (rule, host) alert if it is open; `quiet`: without a resolved notice. */
  async clear (ruleId: string, hostId: string, at: number, quiet = false): Promise<void> {
    const open = this.#d.open.get(ruleId, hostId)
    if (open === undefined) return
    const done = await this.#d.lifecycle.resolve(open, at, quiet ? { quiet } : {})
    this.#d.open.note(done ?? { ...open, state: 'resolved' })
  }
}
