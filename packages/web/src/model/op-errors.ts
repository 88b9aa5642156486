import { ApiError } from '../api/api-error.ts'

/** What some agent and hub codes mean for the person at the console. */
const EXPLAIN: Readonly<Record<string, string>> = {
  AGENT_ERR_SERVICE_MANAGER: 'This host has no service manager the agent can drive (systemd), so services cannot be listed or changed here.',
  AGENT_ERR_FILE_CHANGED: 'The file changed on the host since you opened it. Nothing was saved: reload it, then make your change again.',
  AGENT_ERR_POLICY_DENIED: 'The host\'s own policy does not allow this operation.',
  HUB_ERR_FORBIDDEN: 'Your role does not allow this.'
}

/** An error for people: the explanation when there is one, the message, and the stable code. */
export function opErrorText (err: unknown): string {
  if (err instanceof ApiError) {
    const why = EXPLAIN[err.code]
    return `${why === undefined ? '' : `${why} `}${err.message} (${err.code})`
  }
  if (err instanceof Error) return err.message
  return String(err)
}

/** The stable code of an error, when it has one. */
export function errorCode (err: unknown): string | undefined {
  return err instanceof ApiError ? err.code : undefined
}
