// Profiling aid for the load benchmark: N simulated agents connect to a hub started with
// `--cpu-prof` (profile in PROF_DIR), with their dials spread over RAMP_S; prints how many were
// connected every 5 s and the hub's CPU seconds. Usage: node load-connect-probe.ts N RAMP_S PROF_DIR
import { setTimeout as delay } from 'node:timers/promises'
import { startChildServer } from './child-server.ts'
import { cpuSeconds, rssBytes } from './proc-sample.ts'
import { SimFleet } from './sim-agents.ts'
import { fleetOptions } from './load-fleet-sections.ts'

const [n, rampS, profDir] = [Number(process.argv[2] ?? 2000), Number(process.argv[3] ?? 20), process.argv[4] ?? '/tmp/prof']
const child = await startChildServer<{ url: string, tokens: string[] }>('support/bench-hub-server.ts', ['--tokens', String(n)], ['--cpu-prof', `--cpu-prof-dir=${profDir}`])
const info = child.info
const fleet = await SimFleet.start(4)
await fleet.enroll(info.tokens, [], 'probe')
const cpu0 = cpuSeconds(child.pid)
const t0 = performance.now()
await fleet.run(fleetOptions(), 30_000, { rampMs: rampS * 1000 })
for (let i = 0; i < 40; i++) {
  await delay(5000)
  const s = await fleet.status()
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(0)} s: ws ${s.ws}, hub CPU ${(cpuSeconds(child.pid) - cpu0).toFixed(1)} s, RSS ${(rssBytes(child.pid) / 2 ** 20).toFixed(0)} MiB, errors ${JSON.stringify(s.errorKinds)}\n`)
  if (s.ws >= n) break
}
await fleet.close()
await child.stop()
