// `outpost ctl services / service / power` end to end with hub and agent processes and this
// machine's real systemctl and shutdown. Where systemd is not PID 1, status and start come back
// as AGENT_ERR_SERVICE_MANAGER and power as shutdown's own failure: non-zero exits, code on stderr.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { adminToken, ctl, eventually, startAgentProcess, startHubProcess, tempDir, type HubProcess } from './support.ts'

const SYSTEMD_RUNNING = fs.existsSync('/run/systemd/system')

/** The id of an online host other than those in `known`. */
async function newOnlineHost (hub: HubProcess, token: string, known: readonly string[]): Promise<string> {
  return (await eventually(async () => {
    const r = await ctl(hub, token, ['hosts', '--json'])
    return (JSON.parse(r.stdout) as Array<{ id: string, status: string }>).find((h) => h.status === 'online' && !known.includes(h.id))
  }, 'the agent to come online')).id
}

test('ctl services lists, ctl service and ctl power report refusals and failures with non-zero exits', async (t) => {
  if (SYSTEMD_RUNNING) assert.fail('this test asserts the no-systemd answers and runs the real `shutdown`: it must not run where systemd is PID 1')
  const hub = await startHubProcess(t)
  const token = await adminToken(hub, ['api-token', '--name', 'ops', '--role', 'operator'])
  const dir = tempDir(t)
  const restricted = path.join(dir, 'policy.json')
  fs.writeFileSync(restricted, '{"operations":["exec"]}', { mode: 0o600 })
  // Both agents run on this machine under one hostname: told apart by the order they come online.
  await startAgentProcess(t, ['--enroll', await adminToken(hub, ['enroll-token', '--ttl', '10m']), '--state', path.join(dir, 'a'), '--interval', '60s'])
  const open = await newOnlineHost(hub, token, [])
  await startAgentProcess(t, ['--enroll', await adminToken(hub, ['enroll-token', '--ttl', '10m']), '--state', path.join(dir, 'b'), '--interval', '60s', '--policy', restricted])
  const closed = await newOnlineHost(hub, token, [open])

  const table = await ctl(hub, token, ['services', open])
  assert.equal(table.code, 0, table.stderr)
  const lines = table.stdout.trimEnd().split('\n')
  assert.match(lines[0] ?? '', /^UNIT\s+LOAD\s+ACTIVE\s+SUB\s+FILE\s+DESCRIPTION$/)
  assert.ok(lines.length > 1)
  assert.match(table.stderr, /systemd is not running here/)
  const json = await ctl(hub, token, ['--json', 'services', open])
  const unit = (JSON.parse(json.stdout) as Array<{ name: string, activeState: string }>)[0]
  assert.ok(unit !== undefined)
  assert.equal(unit.activeState, 'unknown')

  for (const action of ['status', 'start']) {
    const r = await ctl(hub, token, ['service', open, unit.name, action])
    assert.equal(r.code, 1, r.stdout)
    assert.equal(r.stdout, '')
    assert.match(r.stderr, /command failed: AGENT_ERR_SERVICE_MANAGER: systemd is not running on this host/)
  }
  const badName = await ctl(hub, token, ['service', open, 'a;b', 'start'])
  assert.equal(badName.code, 1)
  assert.match(badName.stderr, /^outpost ctl: (HUB_ERR_BAD_REQUEST|PROTO_ERR_INVALID): /m, 'the hub\'s validation refused it')
  const badAction = await ctl(hub, token, ['service', open, unit.name, 'mask'])
  assert.equal(badAction.code, 2)

  const denied = await ctl(hub, token, ['services', closed])
  assert.equal(denied.code, 1)
  assert.match(denied.stderr, /command rejected: AGENT_ERR_POLICY_DENIED: .*service operation class/)
  const powerDenied = await ctl(hub, token, ['power', closed, 'reboot', '--in', '10m', '--reason', 'test'])
  assert.equal(powerDenied.code, 1)
  assert.match(powerDenied.stderr, /AGENT_ERR_POLICY_DENIED: .*power operation class/)

  assert.equal(path.basename(fs.realpathSync('/usr/sbin/shutdown')), 'systemctl', 'shutdown here is systemctl, which cannot act without systemd')
  const power = await ctl(hub, token, ['power', open, 'reboot', '--in', '7d', '--reason', 'outpost test: must not happen'])
  assert.equal(power.code, 1, power.stdout)
  assert.match(power.stderr, /command failed: AGENT_ERR_OPERATION_FAILED: shutdown -r failed \(exit 1\): System has not been booted with systemd/)
  const noReason = await ctl(hub, token, ['power', open, 'reboot'])
  assert.equal(noReason.code, 2)
  assert.match(noReason.stderr, /needs --reason/)
  const seconds = await ctl(hub, token, ['power', open, 'reboot', '--in', '90s', '--reason', 'x'])
  assert.equal(seconds.code, 2)
  assert.match(seconds.stderr, /whole minutes/)
})
