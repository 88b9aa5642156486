// `outpost agent --upstream … --relay-listen … --relay-any`: parsing, refusals and the help text.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AGENT_HELP, agentConfigFromFlags } from '../src/commands/agent-command.ts'

test('--upstream takes an ordered, comma-separated (or repeated) list', () => {
  const c = agentConfigFromFlags(['--state', '/s', '--upstream', 'relay://10.0.0.5:7443, relay://10.0.0.6:7443', '--upstream', 'https://hub.example:8443'], {})
  assert.ok(c !== 'help')
  assert.deepEqual(c.upstreams, ['relay://10.0.0.5:7443', 'relay://10.0.0.6:7443', 'https://hub.example:8443'])
})

test('an explicit --upstream ignores HTTPS_PROXY, but --proxy with a relay entry is refused', () => {
  const c = agentConfigFromFlags(['--state', '/s', '--upstream', 'relay://10.0.0.5:7443'], { HTTPS_PROXY: 'http://proxy:3128' })
  assert.ok(c !== 'help')
  assert.equal(c.proxy, null)
  assert.throws(() => agentConfigFromFlags(['--state', '/s', '--upstream', 'relay://10.0.0.5:7443', '--proxy', 'http://proxy:3128'], {}), { code: 'AGENT_ERR_CONFIG', message: /cannot be combined/ })
  assert.throws(() => agentConfigFromFlags(['--state', '/s', '--upstream', 'ftp://x:1'], {}), { code: 'AGENT_ERR_CONFIG' })
  assert.throws(() => agentConfigFromFlags(['--state', '/s', '--upstream', 'relay://nohost'], {}), { code: 'AGENT_ERR_CONFIG' })
})

test('--relay-listen refuses a wildcard address unless --relay-any', () => {
  const c = agentConfigFromFlags(['--state', '/s', '--relay-listen', '10.0.0.5:7443'], {})
  assert.ok(c !== 'help')
  assert.equal(c.relayListen, '10.0.0.5:7443')
  for (const wild of ['0.0.0.0:7443', '[::]:7443', '[0:0:0:0:0:0:0:0]:7443']) {
    assert.throws(() => agentConfigFromFlags(['--state', '/s', '--relay-listen', wild], {}), { code: 'AGENT_ERR_CONFIG', message: /--relay-any/ }, wild)
    const any = agentConfigFromFlags(['--state', '/s', '--relay-listen', wild, '--relay-any'], {})
    assert.ok(any !== 'help' && any.relayAny)
  }
  assert.throws(() => agentConfigFromFlags(['--state', '/s', '--relay-listen', 'gateway.lan:7443'], {}), { code: 'AGENT_ERR_CONFIG' })
  assert.throws(() => agentConfigFromFlags(['--state', '/s', '--relay-listen', '10.0.0.5'], {}), { code: 'AGENT_ERR_CONFIG' })
  assert.match(AGENT_HELP, /--upstream LIST/)
  assert.match(AGENT_HELP, /--relay-listen ADDR:PORT/)
})
