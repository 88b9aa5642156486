/** What a command may touch of its process: passed in so that tests and `main` differ only here. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream
  readonly env: Readonly<Record<string, string | undefined>>
  /** Input for commands that read it (`ctl files put`); the process's stdin when absent. */
  readonly stdin?: NodeJS.ReadableStream
}
