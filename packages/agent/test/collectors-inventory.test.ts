import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import { Inventory, validate } from '@outpost/protocol'
import { createInventoryCollector, inventoryDigest } from '../src/collectors/index.ts'
import { DPKG_STATUS_PATH } from '../src/collectors/installed-packages.ts'

// One real collection serves every test of this file: it spawns lsblk and who, so it is slow-ish.
const collected = createInventoryCollector().collect()

test('the real inventory validates and states real facts about this machine', async () => {
  const inv = validate(Inventory, await collected, 'inventory')
  assert.equal(inv.hostname, os.hostname())
  assert.equal(inv.kernel, os.release())
  assert.equal(inv.os.platform, 'linux')
  assert.equal(inv.os.arch, os.arch())
  const osRelease = fs.readFileSync(fs.existsSync('/etc/os-release') ? '/etc/os-release' : '/usr/lib/os-release', 'utf8')
  assert.ok(inv.os.distribution.length > 0 && osRelease.includes(inv.os.distribution), inv.os.distribution)
  assert.equal(inv.cpu.cores, os.cpus().length)
  assert.ok(inv.cpu.model.length > 0)
  assert.equal(inv.memory.totalBytes, os.totalmem())
  const bootMs = Date.now() - os.uptime() * 1000
  assert.ok(Math.abs(inv.bootTime - bootMs) < 5000, `boot ${inv.bootTime} vs ${bootMs}`)
})

test('every non-loopback interface and address Node knows is in the inventory', async () => {
  const inv = await collected
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (name === 'lo') continue
    const nic = inv.nics.find((n) => n.name === name)
    assert.ok(nic !== undefined, name)
    for (const a of addrs ?? []) {
      assert.ok((a.family === 'IPv4' ? nic.ipv4 : nic.ipv6).includes(a.address), a.address)
      if (!a.internal) assert.ok(inv.ipAddresses.includes(a.address), a.address)
      if (a.mac !== '00:00:00:00:00:00') assert.ok(inv.macAddresses.includes(a.mac), a.mac)
    }
  }
  assert.ok(!inv.ipAddresses.includes('127.0.0.1'))
})

test('the root file system disk and the installed packages are listed', async () => {
  const inv = await collected
  if (fs.existsSync(DPKG_STATUS_PATH)) {
    assert.equal(inv.packages.manager, 'dpkg')
    const dpkg = inv.packages.items.find((p) => p.name === 'dpkg')
    assert.ok(dpkg !== undefined && dpkg.version.length > 0, 'dpkg lists itself')
  } else {
    assert.notEqual(inv.packages.manager, 'dpkg')
  }
  const sorted = [...inv.packages.items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  assert.deepEqual(inv.packages.items.map((p) => p.name), sorted.map((p) => p.name))
  const sys = fs.readdirSync('/sys/block').filter((d) => !/^(loop|ram)\d+$/.test(d))
  assert.deepEqual(inv.disks.map((d) => d.device).sort(), sys.sort())
})

test('inventoryDigest is stable across collections and key order, and changes with the content', async () => {
  const inv = await collected
  const again = await createInventoryCollector().collect()
  assert.equal(inventoryDigest(again), inventoryDigest(inv))
  const reordered = Object.fromEntries(Object.entries(inv).reverse()) as typeof inv
  assert.equal(inventoryDigest(reordered), inventoryDigest(inv))
  assert.match(inventoryDigest(inv), /^[0-9a-f]{64}$/)
  assert.notEqual(inventoryDigest({ ...inv, kernel: inv.kernel + '+1' }), inventoryDigest(inv))
  assert.notEqual(inventoryDigest({ ...inv, packages: { ...inv.packages, items: inv.packages.items.slice(1) } }), inventoryDigest(inv))
})
