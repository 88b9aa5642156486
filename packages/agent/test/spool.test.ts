import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DiskSpool, type SpoolDrop } from '../src/spool/disk-spool.ts'

function tmpDir (t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outpost-spool-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

const report = (time: number, pad = 0) => ({
  type: 'report' as const,
  time,
  events: Array.from({ length: Math.ceil(pad / 1000) }, () => ({ name: 'x', severity: 'info' as const, message: 'p'.repeat(1000), time }))
})

test('assigns strictly increasing seqs and hands messages out oldest first', (t) => {
  const dir = tmpDir(t)
  const spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  t.after(() => spool.close())
  const seqs = [1, 2, 3, 4, 5].map((i) => spool.append(report(Date.now() + i)).seq)
  assert.deepEqual(seqs, [1, 2, 3, 4, 5])
  assert.deepEqual(spool.peek(3).map((m) => m.seq), [1, 2, 3])
  assert.equal(spool.size, 5)
})

test('survives a reopen: entries, order and the seq counter', (t) => {
  const dir = tmpDir(t)
  let spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  for (let i = 0; i < 3; i++) spool.append(report(Date.now()))
  spool.ack([1])
  spool.close()
  spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  t.after(() => spool.close())
  assert.deepEqual(spool.peek(10).map((m) => m.seq), [2, 3])
  assert.equal(spool.append(report(Date.now())).seq, 4)
})

test('ack removes only listed seqs; the counter survives even when every segment is gone', (t) => {
  const dir = tmpDir(t)
  let spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  for (let i = 0; i < 4; i++) spool.append(report(Date.now()))
  assert.equal(spool.ack([2, 99]), 1)
  assert.deepEqual(spool.peek(10).map((m) => m.seq), [1, 3, 4])
  spool.ack([1, 3, 4])
  assert.equal(spool.size, 0)
  assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith('seg-')).length, 0)
  spool.close()
  spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  t.after(() => spool.close())
  assert.equal(spool.append(report(Date.now())).seq, 5)
})

test('a torn tail is cut on open and earlier entries stay intact', (t) => {
  const dir = tmpDir(t)
  let spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  spool.append(report(Date.now()))
  spool.append(report(Date.now()))
  spool.close()
  const seg = fs.readdirSync(dir).filter((n) => n.startsWith('seg-')).sort().at(-1)!
  const file = path.join(dir, seg)
  const intact = fs.statSync(file).size
  // A crash mid-append: a header promising 500 bytes, followed by only a few.
  const torn = Buffer.alloc(20)
  torn.writeUInt32BE(500, 0)
  fs.appendFileSync(file, torn)
  const repairs: number[] = []
  spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024, onRepair: (_f, kept) => repairs.push(kept) })
  t.after(() => spool.close())
  assert.deepEqual(repairs, [intact])
  assert.equal(fs.statSync(file).size, intact)
  assert.deepEqual(spool.peek(10).map((m) => m.seq), [1, 2])
  assert.equal(spool.append(report(Date.now())).seq, 3)
})

test('a flipped byte in the last entry is detected by the checksum', (t) => {
  const dir = tmpDir(t)
  let spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  spool.append(report(Date.now()))
  spool.append(report(Date.now()))
  spool.close()
  const file = path.join(dir, fs.readdirSync(dir).find((n) => n.startsWith('seg-'))!)
  const buf = fs.readFileSync(file)
  buf[buf.length - 3] = buf[buf.length - 3]! ^ 0xff
  fs.writeFileSync(file, buf)
  spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  t.after(() => spool.close())
  assert.deepEqual(spool.peek(10).map((m) => m.seq), [1])
})

test('the byte bound drops the oldest first and says so', (t) => {
  const dir = tmpDir(t)
  const drops: SpoolDrop[] = []
  const maxBytes = 64 * 1024
  const spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes, onDrop: (d) => drops.push(d) })
  t.after(() => spool.close())
  for (let i = 0; i < 100; i++) {
    spool.append(report(Date.now(), 2000))
    assert.ok(spool.bytes <= maxBytes, `spool holds ${spool.bytes} bytes`)
  }
  assert.ok(drops.length > 0)
  assert.ok(drops.every((d) => d.reason === 'bytes'))
  const left = spool.peek(1000).map((m) => m.seq)
  assert.equal(left.at(-1), 100)
  assert.equal(drops[0]!.firstSeq, 1)
  // What is left is a contiguous run of the newest: the oldest went first.
  assert.deepEqual(left, Array.from({ length: left.length }, (_, i) => 101 - left.length + i))
})

test('the age bound drops entries older than maxAgeMs', (t) => {
  const dir = tmpDir(t)
  let now = 1_000_000_000
  const drops: SpoolDrop[] = []
  const spool = new DiskSpool(dir, { maxAgeMs: 60_000, maxBytes: 1024 * 1024, now: () => now, onDrop: (d) => drops.push(d) })
  t.after(() => spool.close())
  spool.append(report(now))
  spool.append(report(now + 1000))
  now += 61_000
  spool.append(report(now))
  assert.deepEqual(drops, [{ reason: 'age', count: 1, firstSeq: 1, lastSeq: 1 }])
  assert.deepEqual(spool.peek(10).map((m) => m.seq), [2, 3])
})

test('refuses a message that does not match the schema instead of spooling poison', (t) => {
  const spool = new DiskSpool(tmpDir(t), { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  t.after(() => spool.close())
  assert.throws(() => spool.append({ type: 'report', time: -1 }), { code: 'PROTO_ERR_INVALID' })
  assert.equal(spool.size, 0)
  assert.equal(spool.append(report(Date.now())).seq, 1)
})

test('state files are private (0600) in a private directory (0700)', (t) => {
  const dir = path.join(tmpDir(t), 'spool')
  const spool = new DiskSpool(dir, { maxAgeMs: 3600_000, maxBytes: 1024 * 1024 })
  t.after(() => spool.close())
  spool.append(report(Date.now()))
  spool.ack([1])
  spool.append(report(Date.now()))
  assert.equal(fs.statSync(dir).mode & 0o777, 0o700)
  for (const n of fs.readdirSync(dir)) assert.equal(fs.statSync(path.join(dir, n)).mode & 0o777, 0o600, n)
})
