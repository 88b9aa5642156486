import type { SessionControl, SessionOpenBody } from '@outpost/protocol'
import { AgentError, AgentErrorCode } from '../../errors.ts'
import { checkOperationClass } from '../../policy/operation-policy.ts'
import { OperationClass, type Policy } from '../../policy/policy-schema.ts'
import type { PolicyDenial } from '../../policy/exec-policy.ts'
import type { OperationContext, OperationResult } from '../operation.ts'
import { MAX_BACKLOG_BYTES, type ChannelHandlers, type SessionChannel } from './session-channel.ts'
import { openWsChannel } from './ws-session-channel.ts'
import { openPostChannel } from './post-session-channel.ts'
import { spawnShell, type PtyShell, type ShellExit } from './pty-shell.ts'

/** After a hang-up the shell gets this long before SIGKILL. */
const KILL_GRACE_MS = 3000

/** A terminal runs anything: it needs the `terminal` class and exec `any`. */
export function checkTerminal (policy: Policy): PolicyDenial | undefined {
  return checkOperationClass(policy, OperationClass.Terminal) ??
    (policy.exec === 'any' ? undefined : { rule: 'exec', message: 'a terminal can run any command, so it needs exec "any"; the local policy restricts exec' })
}

/**
 * Runs a live terminal until it ends: dials the session (WebSocket, else the POST fallback),
 * starts the login shell, says `ready`, and relays both ways. The shell exiting sends `exit`
 * and completes with its exit code; the hub closing the session (or the agent stopping) hangs
 * the shell up.
 */
export async function runSessionOpen (body: SessionOpenBody, ctx: OperationContext): Promise<OperationResult> {
  const denial = checkTerminal(ctx.policy)
  if (denial !== undefined) return { denied: denial }
  const link = ctx.link
  if (link === undefined) throw new AgentError(AgentErrorCode.OperationFailed, 'this agent has no direct hub link for live sessions')
  const started = Date.now()
  const log = ctx.logger?.child({ sessionId: body.sessionId, instructionId: ctx.instruction.id })
  let shell: PtyShell | undefined
  let hubClosed: string | undefined
  let early: Buffer[] = []
  const handlers: ChannelHandlers = {
    input: (bytes) => { if (shell !== undefined) shell.write(bytes); else early.push(bytes) },
    control: (c: SessionControl) => { if (c.t === 'resize') shell?.resize(c.cols, c.rows) },
    closed: (reason) => {
      hubClosed = reason
      shell?.kill(KILL_GRACE_MS)
    }
  }
  const channel = await openChannel(link, body.sessionId, handlers, log)
  log?.info({ audit: 'session-open', issuer: ctx.instruction.issuer, via: channel.kind }, 'live session opened')
  try {
    shell = spawnShell({
      cols: body.cols,
      rows: body.rows,
      onOutput: (bytes) => {
        channel.write(bytes)
        if (channel.backlog > MAX_BACKLOG_BYTES) pauseUntilDrained(shell!, channel)
      }
    })
  } catch (err) {
    channel.control({ t: 'closed', reason: `the shell could not start: ${(err as Error).message}` })
    await channel.end()
    throw new AgentError(AgentErrorCode.OperationFailed, `the shell could not start: ${(err as Error).message}`, { cause: err })
  }
  channel.control({ t: 'ready' })
  for (const b of early) shell.write(b)
  early = []
  if (hubClosed !== undefined) shell.kill(KILL_GRACE_MS)
  const onStop = (): void => {
    channel.control({ t: 'closed', reason: 'the agent is stopping' })
    shell?.kill(KILL_GRACE_MS)
  }
  ctx.signal?.addEventListener('abort', onStop, { once: true })
  let exit: ShellExit
  try {
    exit = await shell.exited
  } finally {
    ctx.signal?.removeEventListener('abort', onStop)
  }
  if (hubClosed === undefined) {
    channel.control({ t: 'exit', code: exit.exitCode })
    await channel.end()
  } else {
    channel.close()
  }
  log?.info({ audit: 'session-end', exitCode: exit.exitCode, signal: exit.signal, reason: hubClosed ?? 'shell exited' }, 'live session ended')
  return { outcome: 'completed', exitCode: exit.exitCode, signal: exit.signal, stdout: '', stderr: '', durationMs: Date.now() - started }
}

/** WebSocket first (unless the agent runs without WebSockets), the POST fallback when it fails. */
async function openChannel (link: NonNullable<OperationContext['link']>, id: string, h: ChannelHandlers, log: OperationContext['logger']): Promise<SessionChannel> {
  if (link.preferPost !== true) {
    try {
      return await openWsChannel(link, id, h)
    } catch (err) {
      log?.info({ err }, 'session WebSocket failed; using the POST fallback')
    }
  }
  try {
    return await openPostChannel(link, id, h)
  } catch (err) {
    throw new AgentError(AgentErrorCode.OperationFailed, `cannot attach the live session: ${(err as Error).message}`, { cause: err })
  }
}

const paused = new WeakSet<PtyShell>()

/** Pauses the shell's output until the channel's backlog is down to a quarter. */
function pauseUntilDrained (shell: PtyShell, channel: SessionChannel): void {
  if (paused.has(shell)) return
  paused.add(shell)
  shell.pause()
  const timer = setInterval(() => {
    if (channel.backlog > MAX_BACKLOG_BYTES / 4) return
    clearInterval(timer)
    paused.delete(shell)
    shell.resume()
  }, 10)
  timer.unref()
}
