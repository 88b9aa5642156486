// How `outpost hub` sets up its own process (bin/hub-launch.js): the V8 flags it re-executes
// itself with, in the same process, so that signals and supervisors still reach the hub.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { startHubProcess } from './support.ts'

test('the hub runs with its V8 flags in the process that was started', async (t) => {
  // Returns once that process logged `hub listening`.
  const hub = await startHubProcess(t)
  const argv = fs.readFileSync(`/proc/${hub.proc.pid}/cmdline`, 'utf8').split('\0')
  assert.ok(argv.includes('--max-semi-space-size=16'), `hub command line: ${argv.join(' ')}`)
})
