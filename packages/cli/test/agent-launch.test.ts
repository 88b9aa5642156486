// How `outpost agent` sets up its own process (bin/agent-launch.js): the V8 flags it re-executes
// itself with, and the compile cache it keeps only in a state dir nobody else can write.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { startHub } from '@outpost/testkit'
import { startAgentProcess, tempDir } from './support.ts'

test('the agent runs with its V8 flags in the same process and starts from a filled compile cache', async (t) => {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const stateDir = path.join(tempDir(t), 'state')
  const agent = await startAgentProcess(t, ['--enroll', await hub.enrollToken(), '--state', stateDir])
  await agent.waitForLog((l) => l.msg === 'agent starting')
  // The pid the test started is the agent itself: the re-execution replaced the process image.
  const argv = fs.readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8').split('\0')
  assert.ok(argv.includes('--max-semi-space-size=1'), `agent command line: ${argv.join(' ')}`)
  // The cold start wrote the cache before the agent began (Node otherwise writes it only at exit).
  const cache = path.join(stateDir, 'compile-cache')
  const entries = fs.readdirSync(cache, { recursive: true }).filter((e) => fs.statSync(path.join(cache, String(e))).isFile())
  assert.ok(entries.length > 10, `compile cache entries: ${entries.length}`)
  assert.equal(await agent.stop(), 0)
})

test('a state dir that others may write gets no compile cache (its entries would be code the agent runs)', async (t) => {
  const hub = await startHub()
  t.after(() => hub.cleanup())
  const stateDir = path.join(tempDir(t), 'state')
  fs.mkdirSync(stateDir)
  fs.chmodSync(stateDir, 0o777)
  const agent = await startAgentProcess(t, ['--enroll', await hub.enrollToken(), '--state', stateDir])
  await agent.waitForLog((l) => l.msg === 'agent starting')
  assert.equal(await agent.stop(), 0)
  assert.equal(fs.existsSync(path.join(stateDir, 'compile-cache')), false)
})
