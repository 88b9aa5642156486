/** Wire protocol version spoken by this build. A peer announcing another version is refused. */
export const PROTOCOL_VERSION = 1

/** Optional features a peer may announce in its handshake. */
export const Capability = {
  /** The peer can carry the same messages over one WebSocket. */
  WebSocket: 'ws',
  /** The peer understands `batch` messages (spool replay in one request). */
  Batch: 'batch',
  /** The peer can run `exec` instructions. */
  Exec: 'exec'
} as const
export type Capability = (typeof Capability)[keyof typeof Capability]

/** Every capability this build knows; an unknown one in a handshake is an error. */
export const KNOWN_CAPABILITIES: readonly Capability[] = Object.freeze(Object.values(Capability))
