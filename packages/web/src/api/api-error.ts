/**
 * A failed API call as the console shows it: the hub's error envelope `{ code, message }`, or
 * `WEB_ERR_*` for failures seen only in the browser (network down, answer not as the schema says).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** The hub's `code` (e.g. `HUB_ERR_FORBIDDEN`) or a `WEB_ERR_*` code. */
  readonly code: string
  /** HTTP status, 0 when no answer arrived. */
  readonly status: number

  constructor (code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.status = status
  }
}

/** A message for people, whatever was thrown. */
export function errorText (err: unknown): string {
  if (err instanceof ApiError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}
