import type { Logger } from 'pino'
import type { HubConfig } from '../config/hub-config.ts'
import type { Bus } from './bus.ts'
import { MemoryBus } from './memory-bus.ts'
import { NatsBus } from './nats-bus.ts'

/** The bus `config.bus` names: in-process, or connected to NATS (fails with `HUB_ERR_BUS` when unreachable). */
export async function openBus (config: Pick<HubConfig, 'bus' | 'busPrefix'>, log: Logger): Promise<Bus> {
  if (config.bus === 'memory') return new MemoryBus()
  return await NatsBus.connect({ url: config.bus, prefix: config.busPrefix, log })
}
