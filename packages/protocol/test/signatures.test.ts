import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  canonicalJson, generateSigningKeyPair, signInstruction, verifyInstructionSignature, signRequest,
  verifyRequestSignature, requestSigningString, AgentHeader, importPrivateKeyPem, exportPrivateKeyPem, verifyBytes,
  verifyBytesAsync, verifyRequestSignatureAsync,
  type UnsignedInstruction
} from '@outpost/protocol'

const base: UnsignedInstruction = {
  id: 'instr-0001', agentId: 'agent-1', issuer: 'user:admin', issuedAt: 1_000, expiresAt: 2_000, nonce: 'nonce-0001',
  body: { type: 'exec', argv: ['uptime'], timeoutMs: 5000 }
}

test('canonical JSON sorts keys at every depth and ignores undefined', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: 'x' }, u: undefined }), '{"a":{"c":"x","d":[1,{"y":2,"z":1}]},"b":1}')
  assert.throws(() => canonicalJson({ n: Number.NaN }), /non-finite/)
})

test('an instruction signature verifies with the hub key and fails on any change', () => {
  const hub = generateSigningKeyPair()
  const signed = signInstruction(hub.privateKey, base)
  assert.equal(verifyInstructionSignature(hub.publicKey, signed), true)
  const tampered = [
    { ...signed, agentId: 'agent-2' },
    { ...signed, expiresAt: signed.expiresAt + 1 },
    { ...signed, body: { type: 'exec' as const, argv: ['rm', '-rf', '/'], timeoutMs: 5000 } },
    { ...signed, nonce: 'nonce-0002' },
    { ...signed, signature: signed.signature.slice(0, -2) + (signed.signature.endsWith('AA') ? 'BA' : 'AA') }
  ]
  for (const t of tampered) assert.equal(verifyInstructionSignature(hub.publicKey, t), false)
  const other = generateSigningKeyPair()
  assert.equal(verifyInstructionSignature(other.publicKey, signed), false, 'another key must not verify')
})

test('a request signature covers method, path, agent, time, nonce and body', () => {
  const agent = generateSigningKeyPair()
  const headers = signRequest(agent.privateKey, { method: 'POST', path: '/agent/v1/messages', agentId: 'a1', body: '{"x":1}' }, 42)
  const parts = { method: 'POST', path: '/agent/v1/messages', agentId: 'a1', time: headers[AgentHeader.Time] ?? '', nonce: headers[AgentHeader.Nonce] ?? '', body: '{"x":1}' }
  const sig = headers[AgentHeader.Signature] ?? ''
  assert.equal(parts.time, '42')
  assert.equal(verifyRequestSignature(agent.publicKey, parts, sig), true)
  for (const change of [{ body: '{"x":2}' }, { path: '/agent/v1/enroll' }, { agentId: 'a2' }, { time: '43' }, { nonce: 'other' }, { method: 'PUT' }]) {
    assert.equal(verifyRequestSignature(agent.publicKey, { ...parts, ...change }, sig), false, JSON.stringify(change))
  }
  assert.match(requestSigningString(parts), /^OUTPOST-REQ-V1\nPOST\n/)
})

test('keys survive a PEM round trip; garbage keys and signatures verify as false, not throw', () => {
  const k = generateSigningKeyPair()
  const back = importPrivateKeyPem(exportPrivateKeyPem(k.privateKey))
  assert.equal(back.publicKey, k.publicKey)
  assert.equal(verifyBytes('not-a-key', 'x', 'A'.repeat(86)), false)
  assert.equal(verifyBytes(k.publicKey, 'x', 'short'), false)
})

test('the thread-pool verifications give the same answers as the synchronous ones', async () => {
  const agent = generateSigningKeyPair()
  const headers = signRequest(agent.privateKey, { method: 'POST', path: '/agent/v1/messages', agentId: 'a1', body: '{"x":1}' }, 42)
  const parts = { method: 'POST', path: '/agent/v1/messages', agentId: 'a1', time: '42', nonce: headers[AgentHeader.Nonce] ?? '', body: '{"x":1}' }
  const sig = headers[AgentHeader.Signature] ?? ''
  assert.equal(await verifyRequestSignatureAsync(agent.publicKey, parts, sig), true)
  for (const change of [{ body: '{"x":2}' }, { path: '/agent/v1/enroll' }, { agentId: 'a2' }, { time: '43' }, { nonce: 'other' }, { method: 'PUT' }]) {
    assert.equal(await verifyRequestSignatureAsync(agent.publicKey, { ...parts, ...change }, sig), false, JSON.stringify(change))
  }
  assert.equal(await verifyRequestSignatureAsync(generateSigningKeyPair().publicKey, parts, sig), false, 'another key must not verify')
  assert.equal(await verifyBytesAsync('not-a-key', 'x', 'A'.repeat(86)), false)
  assert.equal(await verifyBytesAsync(agent.publicKey, 'x', 'short'), false)
  assert.equal(await verifyBytesAsync(agent.publicKey, 'x', '!'.repeat(86)), false)
})

test('random ids never start with - or _ (they are typed as command-line arguments)', async () => {
  const { randomId } = await import('@outpost/protocol')
  for (let i = 0; i < 20_000; i++) {
    const id = randomId(16)
    assert.match(id, /^[A-Za-z0-9][A-Za-z0-9_-]{21}$/)
  }
})
