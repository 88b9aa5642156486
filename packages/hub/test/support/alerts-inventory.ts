// Small builders for alert tests: a valid inventory with a given core count, and a signed result.
import { HubPath, type Inventory } from '@outpost/protocol'
import { agentHeaders, request, type SimulatedAgent, type Answer } from '@outpost/testkit'

/** A minimal valid inventory whose CPU has `cores` cores. */
export function inventoryWithCores (cores: number): Inventory {
  return {
    hostname: 'web-1', domain: '', bootTime: 1, ipAddresses: [], macAddresses: [], users: [],
    cpu: { model: 'test cpu', cores, physicalCores: cores, speedMhz: 1000 }, memory: { totalBytes: 1, swapTotalBytes: 0 },
    disks: [], nics: [], kernel: 'k', os: { platform: 'linux', distribution: 'Debian GNU/Linux', release: '12', codename: 'bookworm', arch: 'x64' },
    packages: { manager: 'none', items: [] }
  }
}

/** Sends an instruction's result as the agent would (signed, stamped with the hub clock). */
export function sendResult (h: { f: { url: string }, now: () => number }, a: SimulatedAgent, seq: number, instructionId: string, outcome: 'completed' | 'failed' | 'rejected'): Promise<Answer> {
  const body = JSON.stringify({
    type: 'result', seq, time: h.now(), instructionId, outcome,
    ...(outcome === 'completed' ? { exitCode: 0 } : { error: { code: 'AGENT_ERR_POLICY', message: 'commands are not allowed here' } })
  })
  return request(h.f.url, { method: 'POST', path: HubPath.AgentMessages, headers: agentHeaders(a, body, { now: h.now() }), body })
}
