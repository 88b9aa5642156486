import { request, type Agent } from 'node:https'
import { CommandOutputChunk, CommandStatus, ErrorEnvelope, isValid, OutpostError } from '@outpost/protocol'

/** Where and as whom to open `GET /api/v1/commands/:id/output`. */
export interface OutputEventsTarget {
  readonly hubUrl: string
  readonly token: string
  readonly agent: Agent
}

/**
 * Reads a command's Server-Sent Events: calls `onChunk` for each `chunk` event and resolves with
 * the `finished` event's status, or with `undefined` when the stream ended without one (hub
 * restarting, connection lost): the caller then waits for the command the ordinary way.
 * A refusal (404, 429, …) rejects with the hub's code.
 */
export function readOutputEvents (t: OutputEventsTarget, commandId: string, onChunk: (c: CommandOutputChunk) => void): Promise<CommandStatus | undefined> {
  const url = new URL(`/api/v1/commands/${encodeURIComponent(commandId)}/output`, t.hubUrl)
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent: t.agent, headers: { authorization: `Bearer ${t.token}`, accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8')
      if ((res.statusCode ?? 0) !== 200) {
        let text = ''
        res.on('data', (c: string) => { text += c })
        res.on('end', () => { reject(refusal(res.statusCode ?? 0, text)) })
        return
      }
      let buffer = ''
      let finished: CommandStatus | undefined
      res.on('data', (c: string) => {
        buffer += c
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          const status = handleEvent(buffer.slice(0, end), onChunk)
          if (status !== undefined) finished = status
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
        }
      })
      res.on('end', () => { resolve(finished) })
      // A dropped stream is not an error of the command: the caller falls back to waiting.
      res.on('error', () => { resolve(finished) })
    })
    req.on('error', reject)
    req.end()
  })
}

/** One SSE event block (`event:` and `data:` lines; `:` comments are heartbeats). */
function handleEvent (block: string, onChunk: (c: CommandOutputChunk) => void): CommandStatus | undefined {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim()
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
  }
  if (data.length === 0) return undefined
  const payload: unknown = JSON.parse(data.join('\n'))
  if (event === 'chunk' && isValid(CommandOutputChunk, payload)) onChunk(payload)
  if (event === 'finished' && isValid(CommandStatus, payload)) return payload
  return undefined
}

function refusal (status: number, text: string): OutpostError {
  try {
    const json: unknown = JSON.parse(text)
    if (isValid(ErrorEnvelope, json)) return new OutpostError(json.error.code, json.error.message, { statusCode: status })
  } catch {
    // Not JSON: reported by status below.
  }
  return new OutpostError('CLI_ERR_HUB', `hub answered ${status} to the output stream`, { statusCode: status })
}
