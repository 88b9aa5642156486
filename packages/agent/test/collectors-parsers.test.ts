import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Inventory, isValid } from '@outpost/protocol'
import { domainOf } from '../src/collectors/inventory-collector.ts'
import { MAX_PACKAGES, parseDpkgStatus, parseRpmList } from '../src/collectors/installed-packages.ts'
import { decodeIpv4, decodeIpv6 } from '../src/collectors/listening-ports.ts'
import { parseDiskstats } from '../src/collectors/disk-io.ts'
import { parseMounts } from '../src/collectors/filesystems.ts'
import { parsePidStat } from '../src/collectors/processes.ts'
import { parseOsRelease } from '../src/collectors/os-release.ts'

const DPKG = `Package: bash
Status: install ok installed
Priority: required
Architecture: amd64
Version: 5.2.15-2+b2
Description: GNU Bourne Again SHell
 Bash is an sh-compatible command language interpreter.
 Package: not-a-package
 .
 Status: install ok installed

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: adduser
Status: install ok installed
Architecture: all
Version: 3.134
`

test('dpkg status: installed packages only, continuation lines ignored, sorted by name', () => {
  assert.deepEqual(parseDpkgStatus(DPKG), [
    { name: 'adduser', version: '3.134', arch: 'all' },
    { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' }
  ])
})

test('a huge or hostile dpkg status still fits the inventory schema', () => {
  const big = Array.from({ length: MAX_PACKAGES + 10 }, (_, i) => `Package: p${i}\nStatus: install ok installed\nVersion: ${'9'.repeat(i === 0 ? 5000 : 1)}\nArchitecture: ${'a'.repeat(i === 1 ? 100 : 3)}\n`).join('\n')
  const items = parseDpkgStatus(big)
  assert.equal(items.length, MAX_PACKAGES)
  assert.ok(isValid(Inventory.properties.packages, { manager: 'dpkg', items }))
})

test('rpm list: epoch "(none)" is dropped, a real epoch kept', () => {
  assert.deepEqual(parseRpmList('zlib\t(none):1.2.11-40.el9\tx86_64\nbind\t32:9.16.23-5.el9\tx86_64\n\n'), [
    { name: 'bind', version: '32:9.16.23-5.el9', arch: 'x86_64' },
    { name: 'zlib', version: '1.2.11-40.el9', arch: 'x86_64' }
  ])
})

test('kernel socket addresses decode to the usual text forms', () => {
  assert.equal(decodeIpv4('0100007F'), '127.0.0.1')
  assert.equal(decodeIpv4('00000000'), '0.0.0.0')
  assert.equal(decodeIpv6('00000000000000000000000000000000'), '::')
  assert.equal(decodeIpv6('00000000000000000000000001000000'), '::1')
  assert.equal(decodeIpv6('0000000000000000FFFF00000100007F'), '::ffff:127.0.0.1')
  assert.equal(decodeIpv6('000080FE00000000FF000002FE000001'), 'fe80::200:ff:100:fe')
  assert.equal(decodeIpv6('B80D0120000000000000000001000000'), '2001:db8::1')
})

test('partitions are recognised for sd, nvme and mmc names; dm and md devices are kept', () => {
  const text = ['sda', 'sda1', 'sda15', 'nvme0n1', 'nvme0n1p1', 'mmcblk0', 'mmcblk0p2', 'dm-0', 'md127', 'sr0', 'loop3']
    .map((n, i) => `8 ${i} ${n} 1 0 2 0 3 0 4 0 0 0 0`).join('\n')
  assert.deepEqual([...parseDiskstats(text).keys()], ['sda', 'nvme0n1', 'mmcblk0', 'dm-0', 'md127', 'sr0'])
  assert.deepEqual(parseDiskstats('8 0 sda 1 0 2 0 3 0 4 0 0 0 0').get('sda'), [1024, 2048])
})

test('mount points are unescaped, pseudo file systems and container mounts skipped, the last mount on a point wins', () => {
  const mounts = parseMounts('sysfs /sys sysfs rw 0 0\n/dev/a /srv/my\\040disk ext4 rw 0 0\n/dev/b /data xfs rw 0 0\n/dev/c /data ext4 rw 0 0\nsnap /snap/x squashfs ro 0 0\n' +
    'overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0\n/dev/a /var/lib/kubelet/pods/x/volumes/v ext4 rw 0 0\n')
  assert.deepEqual(mounts, [
    { source: '/dev/a', mountPoint: '/srv/my disk', fsType: 'ext4' },
    { source: '/dev/c', mountPoint: '/data', fsType: 'ext4' }
  ])
})

test('a process name with parentheses and spaces does not shift the stat fields', () => {
  const st = parsePidStat('77 (a) b (c) R 1 1 1 0 -1 0 0 0 0 0 120 30 0 0 20 0 1 0 555 1000 42 0')
  assert.deepEqual(st, { comm: 'a) b (c', state: 'R', ppid: 1, cpuTicks: 150, startTicks: 555, rssPages: 42 })
  assert.equal(parsePidStat('garbage'), null)
})

test('the domain is what follows the host name in the FQDN', () => {
  assert.equal(domainOf('web1.example.org', 'web1'), 'example.org')
  assert.equal(domainOf('web1', 'web1'), '')
  assert.equal(domainOf('other.example.org', 'web1'), 'example.org')
  assert.equal(domainOf('', 'web1'), '')
})

test('os-release: quoted values, escapes, and the codename from VERSION when VERSION_CODENAME is missing', () => {
  assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\n'),
    { distribution: 'Debian GNU/Linux', release: '12', codename: 'bookworm' })
  assert.deepEqual(parseOsRelease("NAME='Rocky \\\"Linux\\\"'\nVERSION=\"9.3 (Blue Onyx)\"\nVERSION_ID=\"9.3\"\n# comment\n"),
    { distribution: 'Rocky "Linux"', release: '9.3', codename: 'Blue Onyx' })
  assert.deepEqual(parseOsRelease(''), { distribution: '', release: '', codename: '' })
})
