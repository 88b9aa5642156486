import type { Logger } from 'pino'
import type { HubConfig } from './config/hub-config.ts'
import { createHub, type Hub, type HubDeps } from './create-hub.ts'
import { ADMIN_USER_NAME } from './auth/admin-user.ts'

/**
 * Runs the hub as a process: listens, creates the first admin user (printing a generated
 * password once on stderr, never into the log), and closes gracefully on SIGTERM or SIGINT.
 * Resolves with the listening hub; the process exits after the signal-driven close.
 */
export async function runHub (config: HubConfig, logger: Logger, deps: Omit<HubDeps, 'logger'> = {}): Promise<Hub> {
  const hub = createHub(config, { ...deps, logger })
  await hub.listen()
  const admin = await hub.ensureAdminUser(config.adminPassword)
  if (admin.password !== undefined) {
    // Shown once to the person starting the hub; it is stored only as a scrypt hash.
    process.stderr.write(`\nOutpost: created user "${ADMIN_USER_NAME}" with password: ${admin.password}\n(it will not be shown again)\n\n`)
  }
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return
    stopping = true
    logger.info({ signal }, 'closing hub')
    hub.close().then(() => {
      logger.info('hub closed')
      logger.flush()
      process.exitCode = 0
    }, (err: unknown) => {
      logger.error({ err }, 'hub did not close cleanly')
      logger.flush()
      process.exitCode = 1
    })
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  return hub
}
