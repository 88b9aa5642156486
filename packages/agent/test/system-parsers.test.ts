// The pure parts of services, packages and power: parsers on systemctl output written down from
// the systemd documentation (systemctl(1) list-units / list-unit-files / show), the argv builders,
// and the tool runner on real programs (cap, time-out, missing program).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  journalLines, mergeServiceList, parseListUnits, parseShow, parseUnitFiles, saysNoSystemd, serviceStatus, unitFileStateOf, unitFilesOnly
} from '../src/operations/system/systemd-text.ts'
import { actionArgvs, findPackageManager, listArgv, parseList } from '../src/operations/system/package-manager.ts'
import { powerArgv } from '../src/operations/system/power-argv.ts'
import { isMissingTool, runTool } from '../src/operations/system/run-tool.ts'

// `systemctl list-units --type=service --all --no-legend --plain` (columns UNIT LOAD ACTIVE SUB DESCRIPTION).
const LIST_UNITS = `cron.service                         loaded    active   running Regular background program processing daemon
dbus.service                         loaded    active   running D-Bus System Message Bus
getty@tty1.service                   loaded    active   running Getty on tty1
● nginx.service                      loaded    failed   failed  A high performance web server and a reverse proxy server
systemd-fsck-root.service            loaded    inactive dead    File System Check on Root Device
ghost.service                        not-found inactive dead    ghost.service
`
// `systemctl list-unit-files --type=service --no-legend` (UNIT FILE, STATE, PRESET since systemd 245).
const UNIT_FILES = `cron.service                           enabled         enabled
dbus.service                           static          -
getty@.service                         enabled         enabled
nginx.service                          enabled         enabled
ssh.service                            disabled        enabled
sshd.service                           alias           -
systemd-fsck-root.service              static          -
`
// `systemctl show nginx -p Id -p Description …` (Key=Value, systemctl's own order).
const SHOW = `MainPID=1234
Id=nginx.service
Description=A high performance web server and a reverse proxy server
LoadState=loaded
ActiveState=active
SubState=running
UnitFileState=enabled
`

test('list-units rows parse into name, states and free-text description, with or without the failed marker', () => {
  const rows = parseListUnits(LIST_UNITS)
  assert.equal(rows.length, 6)
  assert.deepEqual(rows[0], { name: 'cron.service', loadState: 'loaded', activeState: 'active', subState: 'running', description: 'Regular background program processing daemon' })
  assert.deepEqual(rows[3], { name: 'nginx.service', loadState: 'loaded', activeState: 'failed', subState: 'failed', description: 'A high performance web server and a reverse proxy server' })
  assert.equal(rows[5]?.loadState, 'not-found')
  assert.deepEqual(parseListUnits('\n  \n'), [])
})

test('the service list joins unit-file states (templates for instances) and adds unloaded installed units', () => {
  const files = parseUnitFiles(UNIT_FILES)
  assert.equal(files.get('ssh.service'), 'disabled')
  assert.equal(unitFileStateOf(files, 'getty@tty1.service'), 'enabled', 'an instance takes its template\'s state')
  assert.equal(unitFileStateOf(files, 'ghost.service'), '')
  const list = mergeServiceList(parseListUnits(LIST_UNITS), files)
  assert.deepEqual(list.map((s) => s.name), ['cron.service', 'dbus.service', 'getty@tty1.service', 'ghost.service', 'nginx.service', 'ssh.service', 'systemd-fsck-root.service'])
  assert.deepEqual(list.find((s) => s.name === 'ssh.service'), { name: 'ssh.service', description: '', loadState: 'not-loaded', activeState: 'inactive', subState: 'dead', unitFileState: 'disabled' })
  assert.ok(!list.some((s) => s.name === 'getty@.service' || s.name === 'sshd.service'), 'templates and aliases are not listed')
  const offline = unitFilesOnly(files)
  assert.ok(offline.length > 0 && offline.every((s) => s.activeState === 'unknown' && s.loadState === 'unknown'))
  assert.equal(offline.find((s) => s.name === 'cron.service')?.unitFileState, 'enabled')
})

test('show properties and journal lines make a ServiceStatus', () => {
  const status = serviceStatus(parseShow(SHOW), 'nginx', journalLines('2024-05-01T10:00:00+0000 host nginx[1234]: started\n-- No entries --\n'))
  assert.deepEqual(status, {
    name: 'nginx.service', description: 'A high performance web server and a reverse proxy server', loadState: 'loaded', activeState: 'active',
    subState: 'running', unitFileState: 'enabled', mainPid: 1234, journal: ['2024-05-01T10:00:00+0000 host nginx[1234]: started']
  })
  assert.equal(serviceStatus(parseShow('Id=x.service\nMainPID=0\n'), 'x', []).mainPid, null, 'MainPID=0 means none')
  assert.equal(parseShow('Description=a=b\n').get('Description'), 'a=b')
})

test('systemctl\'s ways of saying there is no systemd are recognised, ordinary failures are not', () => {
  assert.ok(saysNoSystemd('System has not been booted with systemd as init system (PID 1). Can\'t operate.\nFailed to connect to bus: Host is down\n'))
  assert.ok(saysNoSystemd('Running in chroot, ignoring command \'start\'\n'))
  assert.ok(!saysNoSystemd('Failed to start nginx.service: Unit nginx.service not found.\n'))
})

test('power argv: reboot, shutdown, delay and cancel, the reason always after `--`', () => {
  assert.deepEqual(powerArgv({ type: 'power', action: 'reboot', delayMinutes: 5, reason: 'kernel update' }), ['shutdown', '-r', '--', '+5', 'kernel update'])
  assert.deepEqual(powerArgv({ type: 'power', action: 'shutdown', delayMinutes: 0, reason: 'decommission' }), ['shutdown', '-h', '--', '+0', 'decommission'])
  assert.deepEqual(powerArgv({ type: 'power', action: 'cancel', delayMinutes: 0, reason: 'not now' }), ['shutdown', '-c', '--', 'not now'])
  assert.deepEqual(powerArgv({ type: 'power', action: 'reboot', delayMinutes: 1, reason: '-c' }), ['shutdown', '-r', '--', '+1', '-c'], 'a reason like an option stays a message')
  assert.throws(() => powerArgv({ type: 'power', action: 'reboot', delayMinutes: 1, reason: 'hi\u001b[2J' }), /control characters/)
  assert.throws(() => powerArgv({ type: 'power', action: 'reboot', delayMinutes: 1, reason: 'two\nlines' }), /control characters/)
})

test('package argv: apt refreshes lists before install and upgrade, names after `--`; dnf likewise', () => {
  const conf = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold']
  assert.deepEqual(actionArgvs('apt', 'install', ['hello', 'jq']), [['apt-get', 'update'], ['apt-get', 'install', '-y', ...conf, '--', 'hello', 'jq']])
  assert.deepEqual(actionArgvs('apt', 'remove', ['hello']), [['apt-get', 'remove', '-y', '--', 'hello']])
  assert.deepEqual(actionArgvs('apt', 'upgrade', []), [['apt-get', 'update'], ['apt-get', 'upgrade', '-y', ...conf]])
  assert.deepEqual(actionArgvs('apt', 'upgrade', ['jq']), [['apt-get', 'update'], ['apt-get', 'install', '-y', '--only-upgrade', ...conf, '--', 'jq']])
  assert.deepEqual(actionArgvs('dnf', 'install', ['jq']), [['dnf', '-y', 'install', '--', 'jq']])
  assert.deepEqual(actionArgvs('dnf', 'upgrade', []), [['dnf', '-y', 'upgrade']])
  assert.deepEqual(parseList('apt', 'installed\tdpkg\t1.21.22\tamd64\nconfig-files\told\t1.0\tall\ninstalled\tbash\t5.2-15\tamd64\n'), [
    { name: 'bash', version: '5.2-15', arch: 'amd64' }, { name: 'dpkg', version: '1.21.22', arch: 'amd64' }
  ], 'removed packages whose config files remain are not installed')
  assert.deepEqual(parseList('dnf', 'bash\t(none):5.2.15-3.fc39\tx86_64\n'), [{ name: 'bash', version: '5.2.15-3.fc39', arch: 'x86_64' }])
})

test('the package manager is found by its programs in PATH; none is none', async (t) => {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-nopm-'))
  t.after(() => fs.rmSync(empty, { recursive: true, force: true }))
  assert.equal(findPackageManager(empty), undefined)
  assert.equal(findPackageManager(''), undefined)
  const expected = fs.existsSync('/usr/bin/apt-get') && fs.existsSync('/usr/bin/dpkg-query') ? 'apt' : fs.existsSync('/usr/bin/dnf') ? 'dnf' : undefined
  assert.equal(findPackageManager(process.env.PATH), expected)
  if (expected === 'apt') {
    // The real list command on this machine: dpkg itself is installed.
    const o = await runTool({ argv: listArgv('apt'), timeoutMs: 60_000 })
    assert.equal(o.exitCode, 0, o.stderr)
    assert.ok(parseList('apt', o.stdout).some((p) => p.name === 'dpkg'))
  }
})

test('runTool keeps output up to the cap without killing the tool, stops one at its time-out, knows a missing one', async () => {
  const big = await runTool({ argv: ['head', '-c', '300000', '/dev/zero'], timeoutMs: 60_000, maxOutputBytes: 1000 })
  assert.equal(big.exitCode, 0, 'the tool ran to its end')
  assert.equal(big.stdout.length, 1000)
  assert.equal(big.truncated, true)
  const seen: string[] = []
  const env = await runTool({ argv: ['sh', '-c', 'printf "%s %s" "$LC_ALL" "$DEBIAN_FRONTEND"; echo oops >&2'], timeoutMs: 60_000, onOutput: (s, d) => seen.push(`${s}:${d.toString()}`) })
  assert.equal(env.stdout, 'C noninteractive')
  assert.deepEqual(seen.toSorted(), ['stderr:oops\n', 'stdout:C noninteractive'])
  const slow = await runTool({ argv: ['sleep', '30'], timeoutMs: 100 })
  assert.equal(slow.timedOut, true)
  assert.equal(slow.signal, 'SIGTERM')
  await assert.rejects(runTool({ argv: ['outpost-no-such-tool'], timeoutMs: 1000 }), (err: unknown) => isMissingTool(err))
})
