import type { Logger } from 'pino'
import type { AgentConfig } from './config/agent-config.ts'
import { createAgent, type Agent } from './create-agent.ts'
import { enrollAgent } from './enroll/enroll-agent.ts'
import { isEnrolled } from './state/agent-state.ts'

/**
 * The agent process: enrolls first when the config carries a token and the state dir holds no
 * enrollment, then runs until SIGTERM or SIGINT and stops gracefully. Resolves after the stop.
 * The agent only dials out, unless it is configured as a relay for its site (`relayListen`).
 */
export async function runAgent (config: AgentConfig, logger: Logger): Promise<void> {
  // Signals are taken over before any work starts, so that a SIGTERM during enrollment or
  // start-up still ends in a graceful stop instead of the default kill.
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (signal) => { resolve(signal) }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
  try {
    if (config.enrollToken !== null && !isEnrolled(config.stateDir)) {
      await enrollAgent({ token: config.enrollToken, stateDir: config.stateDir, proxy: config.proxy, upstreams: config.upstreams, logger })
    } else if (config.enrollToken !== null) {
      logger.info({ stateDir: config.stateDir }, 'already enrolled; ignoring the enrollment token')
    }
    const agent: Agent = createAgent(config, { logger })
    await agent.start()
    const signal = await signalled
    logger.info({ signal }, 'stopping')
    await agent.stop()
  } finally {
    if (onSignal !== undefined) {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    }
  }
}
