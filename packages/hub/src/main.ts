import type { Logger } from 'pino'
import type { HubConfig } from './config/hub-config.ts'
import { createHub, type HubDeps } from './create-hub.ts'
import { ADMIN_USER_NAME } from './auth/admin-user.ts'

/**
 * Runs the hub as a process: listens, creates the first admin user (printing a generated
 * password once on stderr, never into the log), and closes gracefully on SIGTERM or SIGINT.
 * Resolves after the close. Signals are taken over before start-up, so a SIGTERM that arrives
 * while the hub is still opening its store ends in the same graceful close.
 */
export async function runHub (config: HubConfig, logger: Logger, deps: Omit<HubDeps, 'logger'> = {}): Promise<void> {
  const hub = createHub(config, { ...deps, logger })
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
  try {
    await hub.listen()
    const admin = await hub.ensureAdminUser(config.adminPassword)
    if (admin.password !== undefined) {
      // Shown once to the person starting the hub; it is stored only as a scrypt hash.
      process.stderr.write(`\nOutpost: created user "${ADMIN_USER_NAME}" with password: ${admin.password}\n(it will not be shown again)\n\n`)
    }
    logger.info({ signal: await signalled }, 'closing hub')
  } finally {
    if (onSignal !== undefined) {
      process.off('SIGTERM', onSignal)
      process.off('SIGINT', onSignal)
    }
    await hub.close()
  }
  logger.info('hub closed')
}
