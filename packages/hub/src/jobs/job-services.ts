import type { Logger } from 'pino'
import type { Bus } from '../bus/bus.ts'
import type { Store } from '../store/store.ts'
import type { AuditLog } from '../audit/audit-log.ts'
import type { HostScope } from '../auth/host-scope.ts'
import type { CommandService } from '../commands/command-service.ts'
import { JobService } from './job-service.ts'
import { JobScheduler } from './job-scheduler.ts'
import type { JobLive } from './job-live.ts'

/** The jobs feature of a hub: the API's operations, the scheduler and the live events. */
export interface JobServices {
  readonly api: JobService
  readonly scheduler: JobScheduler
  readonly live: JobLive
  /** Starts the scheduler (once the hub listens). */
  start (): void
  /** Stops the scheduler, then the live events. */
  close (): Promise<void>
}

/** Wires the jobs feature; `live` is made first because the command service reports to it. */
export function buildJobServices (d: {
  store: Store, bus: Bus, audit: AuditLog, commands: CommandService, hostScope: HostScope, live: JobLive, now: () => number, log: Logger
}): JobServices {
  const scheduler = new JobScheduler({ store: d.store, bus: d.bus, commands: d.commands, audit: d.audit, live: d.live, now: d.now, log: d.log })
  const api = new JobService({ store: d.store, bus: d.bus, audit: d.audit, hostScope: d.hostScope, live: d.live, now: d.now, log: d.log, wake: () => { scheduler.wake() } })
  return {
    api,
    scheduler,
    live: d.live,
    start: () => { scheduler.start() },
    close: async () => {
      await scheduler.close()
      await d.live.close()
    }
  }
}
