/**
 * Orders the hub's use of its SQLite database between the main thread's connection and the ingest
 * worker's, without a lock per statement. A main-thread transaction (it spans awaits) has the
 * database to itself: statements of anyone else wait until it ends. An ingest batch in the worker
 * blocks only writes: reads on the main thread see the last commit meanwhile (WAL), and a write
 * there would otherwise sleep in SQLite's busy handler, on the event loop. Callers must run their
 * statement synchronously once `pass`/`enter` resolve.
 *
 * (Kysely's own single-connection mutex wakes every waiter on each release: with thousands of
 * statements queued behind a batch that is quadratic.)
 */
export class TransactionGate {
  #owner: object | undefined
  #ownerBlocksReads = true
  /** Transactions waiting for the connection, first come first served. */
  readonly #transactions: Array<() => void> = []
  /** Statements of others waiting for the running transaction to end. */
  #blocked: Array<() => void> = []

  /** Undefined when `who` may run a statement now, else a promise to wait for and ask again. */
  pass (who: object, read: boolean): Promise<void> | undefined {
    if (this.#owner === undefined || this.#owner === who || (read && !this.#ownerBlocksReads)) return undefined
    return new Promise((resolve) => { this.#blocked.push(resolve) })
  }

  /** Resolves when `who`'s transaction may begin; it then owns the database until `leave`. */
  enter (who: object, blocksReads: boolean): Promise<void> {
    if (this.#owner === undefined) {
      this.#owner = who
      this.#ownerBlocksReads = blocksReads
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      this.#transactions.push(() => {
        this.#owner = who
        this.#ownerBlocksReads = blocksReads
        resolve()
      })
    })
  }

  leave (who: object): void {
    if (this.#owner !== who) return
    this.#owner = undefined
    const blocked = this.#blocked
    this.#blocked = []
    for (const resolve of blocked) resolve()
    // The next transaction starts after the statements just released have been posted (they run
    // in microtasks; this is a macrotask), so they are not drawn into it.
    if (this.#transactions.length > 0) setImmediate(() => { this.#grantNext() })
  }

  #grantNext (): void {
    if (this.#owner !== undefined) return
    const next = this.#transactions.shift()
    next?.()
  }
}
