// Type tests for the public protocol types: `npm run typecheck` fails if a derived type drifts
// from what hub and agent rely on. The runtime half checks that the schemas agree with the types.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  isValid, AgentMessage, ReplyMessage, SignedInstruction, CreateCommandRequest,
  type AgentMessage as AgentMessageT, type ReplyMessage as ReplyMessageT, type InstructionBody, type CommandState
} from '@outpost/protocol'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false
function expectType<T extends true> (_: T): void {}

// The agent message union is discriminated by `type`, and nothing else.
expectType<Equal<AgentMessageT['type'], 'report' | 'result' | 'batch' | 'poll'>>(true)
expectType<Equal<InstructionBody['type'], 'exec' | 'report-now' | 'report-items' | 'process-list' | 'process-signal' |
  'file-list' | 'file-stat' | 'file-read' | 'file-write' | 'file-download' | 'file-upload' | 'session-open' | 'service' | 'package' | 'power'>>(true)
expectType<Equal<CommandState, 'queued' | 'sent' | 'completed' | 'failed' | 'rejected' | 'expired'>>(true)
expectType<Equal<ReplyMessageT['accepted'], number[]>>(true)

function narrow (m: AgentMessageT): number {
  switch (m.type) {
    case 'report': return m.seq
    case 'result': return m.seq
    case 'batch': return m.messages.length
    case 'poll': return m.waitMs
  }
}

// @ts-expect-error a report needs a sequence number
const noSeq: AgentMessageT = { type: 'report', time: 1 }
// @ts-expect-error exec takes argv as an array, never a shell string
const shellString: InstructionBody = { type: 'exec', argv: 'rm -rf /' }

test('values that type-check as messages also pass the schemas, and the ones that do not, fail', () => {
  const poll: AgentMessageT = { type: 'poll', waitMs: 100 }
  assert.equal(narrow(poll), 100)
  assert.ok(isValid(AgentMessage, poll))
  assert.equal(isValid(AgentMessage, noSeq), false)
  assert.equal(isValid(CreateCommandRequest, shellString), false)
  const reply: ReplyMessageT = { type: 'reply', accepted: [1, 2], instructions: [], time: 0 }
  assert.ok(isValid(ReplyMessage, reply))
  assert.equal(isValid(SignedInstruction, { id: 'x' }), false)
})
