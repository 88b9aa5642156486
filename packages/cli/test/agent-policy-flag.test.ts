// `outpost agent --policy FILE`: the flag, its default location and the help text.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'
import { DEFAULT_POLICY_FILE } from '@outpost/agent'
import { AGENT_HELP, agentConfigFromFlags } from '../src/commands/agent-command.ts'

test('--policy FILE becomes an absolute policyFile; without it the default location is used', () => {
  const given = agentConfigFromFlags(['--state', '/var/lib/outpost', '--policy', 'rel/policy.json'], {})
  assert.ok(given !== 'help')
  assert.equal(given.policyFile, path.resolve('rel/policy.json'))
  const dflt = agentConfigFromFlags(['--state', '/var/lib/outpost'], {})
  assert.ok(dflt !== 'help')
  assert.equal(dflt.policyFile, DEFAULT_POLICY_FILE)
  assert.equal(DEFAULT_POLICY_FILE, '/etc/outpost/policy.json')
  assert.match(AGENT_HELP, /--policy FILE/)
})
