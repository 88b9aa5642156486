// Services, power and a missing package manager through a real hub and a real in-process agent,
// with the real systemctl, journalctl and shutdown of this machine. Where systemd is not PID 1
// (containers, CI) the honest answers are asserted: the unit files with unknown states for
// `list`, AGENT_ERR_SERVICE_MANAGER for the rest, and shutdown's own failure for power.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { api } from '@outpost/testkit'
import { parseJson, ServiceList } from '@outpost/protocol'
import { runningAgent } from './support/running-agent.ts'

/** sd_booted(3): systemd is the running init system exactly when this directory exists. */
const SYSTEMD_RUNNING = fs.existsSync('/run/systemd/system')

test('service list answers the installed services; start, status and stop need a running systemd', async (t) => {
  const { command } = await runningAgent(t, null)
  const list = await command({ type: 'service', action: 'list' })
  assert.equal(list.status, 'completed', JSON.stringify(list.error))
  const services = parseJson(ServiceList, list.stdout)
  assert.ok(services.length > 0)
  assert.ok(services.every((s) => s.name.endsWith('.service')))
  // Every plain unit file shipped in /lib/systemd/system is listed (templates and aliases are not services).
  const shipped = fs.readdirSync('/lib/systemd/system', { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.service') && !e.name.includes('@')).map((e) => e.name)
  assert.ok(shipped.length > 0, 'this machine ships unit files')
  for (const name of shipped) assert.ok(services.some((s) => s.name === name), `${name} listed`)
  if (SYSTEMD_RUNNING) {
    assert.ok(services.some((s) => s.activeState === 'active'), 'with systemd, some service is active')
  } else {
    assert.ok(services.every((s) => s.activeState === 'unknown' && s.loadState === 'unknown'), 'without systemd no state is guessed')
    assert.match((list as unknown as { stderr: string }).stderr, /systemd is not running here/)
  }

  const name = shipped[0]!
  // Not enable/disable: those edit unit-file symlinks, which systemctl does without a running systemd.
  for (const action of ['status', 'start', 'stop', 'restart']) {
    const r = await command({ type: 'service', action, name })
    if (SYSTEMD_RUNNING) {
      assert.notEqual(r.error?.code, 'AGENT_ERR_SERVICE_MANAGER', `${action}: systemd runs here`)
      break // a real systemd: changing services of the test machine is not this test's business
    }
    assert.equal(r.status, 'failed', `${action}: ${JSON.stringify(r)}`)
    assert.equal(r.error?.code, 'AGENT_ERR_SERVICE_MANAGER')
    assert.match(r.error?.message ?? '', /systemd is not running on this host.*System has not been booted with systemd/s)
  }
  // journalctl reads journal files without systemd: it runs, whatever it finds.
  const journal = await command({ type: 'service', action: 'journal', name, lines: 5 })
  assert.equal(journal.status, 'completed', JSON.stringify(journal.error))
})

test('bad unit names are refused by the hub (400) and never reach the agent', async (t) => {
  const { hub, agentId, logs } = await runningAgent(t, null)
  for (const name of ['--now', 'a;b', '../etc/passwd', '-', 'a b', '$(reboot)']) {
    const r = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'service', action: 'start', name } })
    assert.equal(r.status, 400, `${name}: ${r.text}`)
  }
  const none = await api(hub.url, hub.adminToken, `/hosts/${agentId}/commands`, { method: 'POST', body: { type: 'package', action: 'install', names: ['--allow-downgrades'] } })
  assert.equal(none.status, 400, 'package names are checked the same way')
  assert.ok(!logs.some((l) => l.msg === 'running instruction' && (l.type === 'service' || l.type === 'package')), 'the agent received nothing')
})

test('a policy without service, package or power refuses each; with them, power fails honestly here', async (t) => {
  const denied = await runningAgent(t, '{"operations":["exec"]}')
  for (const [body, cls] of [
    [{ type: 'service', action: 'list' }, 'service'],
    [{ type: 'package', action: 'list', names: [] }, 'package'],
    [{ type: 'power', action: 'reboot', delayMinutes: 10, reason: 'test' }, 'power']
  ] as const) {
    const r = await denied.command(body)
    assert.equal(r.status, 'rejected', JSON.stringify(r))
    assert.equal(r.error?.code, 'AGENT_ERR_POLICY_DENIED')
    assert.match(r.error?.message ?? '', new RegExp(`${cls} operation class`))
  }
  assert.ok(denied.logs.some((l) => l.audit === 'policy-denied' && l.type === 'power'), 'the refusal is audited')

  // Never schedule a real power-off: only where `shutdown` is systemctl and systemd is not running can it not work.
  const shutdownIsSystemctl = path.basename(fs.realpathSync('/usr/sbin/shutdown')) === 'systemctl'
  if (SYSTEMD_RUNNING || !shutdownIsSystemctl) {
    assert.fail('this test runs the real `shutdown` and must only run where it cannot act (systemd not PID 1, shutdown → systemctl); refusing to run here')
  }
  const allowed = await runningAgent(t, '{"operations":["power"]}')
  const r = await allowed.command({ type: 'power', action: 'reboot', delayMinutes: 10_080, reason: 'outpost test: must not happen' })
  assert.equal(r.status, 'failed', JSON.stringify(r))
  assert.equal(r.error?.code, 'AGENT_ERR_OPERATION_FAILED')
  assert.match(r.error?.message ?? '', /^shutdown -r failed \(exit 1\): System has not been booted with systemd/)
  assert.ok(allowed.logs.some((l) => l.audit === 'power' && l.action === 'reboot' && l.reason === 'outpost test: must not happen' && l.delayMinutes === 10_080))
  const cancel = await allowed.command({ type: 'power', action: 'cancel', delayMinutes: 0, reason: 'never mind' })
  assert.equal(cancel.status, 'failed')
  const escape = await allowed.command({ type: 'power', action: 'reboot', delayMinutes: 5, reason: 'hi\u001b[2J' })
  assert.equal(escape.status, 'failed')
  assert.match(escape.error?.message ?? '', /control characters/)
})

test('no apt and no dnf in PATH: package operations fail with AGENT_ERR_PACKAGE_MANAGER', async (t) => {
  const { command } = await runningAgent(t, null)
  // The agent runs in this process: an empty PATH for the command's duration is the agent's PATH.
  const saved = process.env.PATH
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-empty-path-'))
  t.after(() => fs.rmSync(empty, { recursive: true, force: true }))
  process.env.PATH = empty
  try {
    const r = await command({ type: 'package', action: 'list', names: [] })
    assert.equal(r.status, 'failed', JSON.stringify(r))
    assert.equal(r.error?.code, 'AGENT_ERR_PACKAGE_MANAGER')
  } finally {
    process.env.PATH = saved
  }
  const list = await command({ type: 'package', action: 'list', names: [] })
  assert.equal(list.status, 'completed', JSON.stringify(list.error))
  assert.ok((JSON.parse(list.stdout) as Array<{ name: string }>).some((p) => p.name === 'dpkg' || p.name === 'rpm'))
})
