import type { AgentMessage, ReplyMessage, ReportMessage, ResultMessage, SignedInstruction } from '@outpost/protocol'
import { AgentMessageType } from '@outpost/protocol'
import { BusSubject, type Bus } from '../bus/bus.ts'
import type { IngestReport, Store } from '../store/store.ts'
import type { CommandService } from '../commands/command-service.ts'
import { Wakeup } from '../commands/wakeup.ts'
import type { LastSeenWriter } from './last-seen-writer.ts'
import type { IngestService } from './ingest-service.ts'

/** Who sent a message, and when to stop waiting on its behalf. */
export interface AgentContext {
  readonly agentId: string
  /** Aborts when the connection goes away or the hub closes. */
  readonly signal: AbortSignal
}

type HandlerFor<T extends AgentMessage['type']> = (msg: Extract<AgentMessage, { type: T }>, ctx: AgentContext) => Promise<ReplyMessage>

/** One handler per protocol message type: the only place agent messages are dispatched. */
export type AgentMessageHandlers = { readonly [T in AgentMessage['type']]: HandlerFor<T> }

/** What the handlers are built from. */
export interface AgentHandlerDeps {
  readonly store: Store
  readonly bus: Bus
  readonly ingest: IngestService
  readonly lastSeen: LastSeenWriter
  readonly commands: CommandService
  readonly now: () => number
  /** Longest a poll is held, whatever the agent asks. */
  readonly maxPollMs: number
}

/** Builds the handler map. */
export function createAgentMessageHandlers (d: AgentHandlerDeps): AgentMessageHandlers {
  const reply = (accepted: number[], instructions: SignedInstruction[]): ReplyMessage => ({ type: 'reply', accepted, instructions, time: d.now() })

  async function store (agentId: string, messages: ReadonlyArray<ReportMessage | ResultMessage>): Promise<number[]> {
    const receivedAt = d.now()
    const reports: IngestReport[] = []
    for (const m of messages) {
      if (m.type === AgentMessageType.Result) await d.commands.complete(agentId, m)
      else reports.push(toIngestReport(agentId, m, receivedAt))
    }
    // ingestReports updates lastSeen itself; a results-only request must do it here.
    if (reports.length > 0) await d.ingest.submit(reports)
    else d.lastSeen.touch(agentId, receivedAt)
    return messages.map(m => m.seq)
  }

  return {
    report: async (msg, ctx) => reply(await store(ctx.agentId, [msg]), await d.commands.deliverableIfAny(ctx.agentId)),
    result: async (msg, ctx) => reply(await store(ctx.agentId, [msg]), await d.commands.deliverableIfAny(ctx.agentId)),
    batch: async (msg, ctx) => reply(await store(ctx.agentId, msg.messages), await d.commands.deliverableIfAny(ctx.agentId)),
    poll: async (msg, ctx) => {
      d.lastSeen.touch(ctx.agentId, d.now())
      const wakeup = new Wakeup()
      // Subscribe before the first look, so that an instruction queued in between wakes us.
      const unsubscribe = d.bus.subscribe(BusSubject.instructionsQueued(ctx.agentId), () => { wakeup.notify() })
      try {
        const deadline = d.now() + Math.min(msg.waitMs, d.maxPollMs)
        // Bounded by the deadline: every pass either returns or waits for a wake-up or the time-out.
        for (;;) {
          const instructions = await d.commands.deliverable(ctx.agentId)
          const left = deadline - d.now()
          if (instructions.length > 0 || left <= 0 || ctx.signal.aborted) return reply([], instructions)
          await wakeup.wait(left, ctx.signal)
        }
      } finally {
        unsubscribe()
      }
    }
  }
}

/** Calls the handler registered for the message's type. */
export function dispatchAgentMessage (handlers: AgentMessageHandlers, msg: AgentMessage, ctx: AgentContext): Promise<ReplyMessage> {
  // The map is total over the union, so the handler for msg.type accepts msg.
  const handler = handlers[msg.type] as (m: AgentMessage, c: AgentContext) => Promise<ReplyMessage>
  return handler(msg, ctx)
}

function toIngestReport (agentId: string, m: ReportMessage, receivedAt: number): IngestReport {
  return { agentId, seq: m.seq, time: m.time, receivedAt, metrics: m.metrics ?? [], inventory: m.inventory, status: m.status, events: m.events ?? [], link: m.link, relay: m.relay }
}
