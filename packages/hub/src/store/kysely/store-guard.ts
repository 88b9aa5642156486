import { HubError, HubErrorCode } from '../../errors.ts'

/** Runs a store operation, turning driver failures into `HUB_ERR_STORE` with the cause kept. */
export async function guard<T> (op: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (cause) {
    if (cause instanceof HubError) throw cause
    throw new HubError(HubErrorCode.Store, `store operation ${op} failed`, { cause })
  }
}
