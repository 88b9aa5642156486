import type { Logger } from 'pino'
import type { AgentConfig } from './config/agent-config.ts'
import { createAgent, type Agent } from './create-agent.ts'
import { enrollAgent } from './enroll/enroll-agent.ts'
import { isEnrolled } from './state/agent-state.ts'

/**
 * The agent process: enrolls first when the config carries a token and the state dir holds no
 * enrollment, then runs until SIGTERM or SIGINT and stops gracefully. Resolves after the stop.
 * The agent only ever dials out: nothing here (or below) opens a listening socket.
 */
export async function runAgent (config: AgentConfig, logger: Logger): Promise<void> {
  if (config.enrollToken !== null && !isEnrolled(config.stateDir)) {
    await enrollAgent({ token: config.enrollToken, stateDir: config.stateDir, proxy: config.proxy, logger })
  } else if (config.enrollToken !== null) {
    logger.info({ stateDir: config.stateDir }, 'already enrolled; ignoring the enrollment token')
  }
  const agent: Agent = createAgent(config, { logger })
  await agent.start()
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
      logger.info({ signal }, 'stopping')
      agent.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'agent did not stop cleanly')
        resolve()
      })
    }
    process.on('SIGTERM', onSignal)
    process.on('SIGINT', onSignal)
  })
}
