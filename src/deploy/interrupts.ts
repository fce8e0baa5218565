// Ctrl-C during a deploy: the first press cancels (or deletes a stack still being created), the second
// detaches and leaves CloudFormation to finish on its own.

export interface InterruptSource {
  /** Calls `handler` on each interruption; returns a function that stops listening. */
  onInterrupt(handler: () => void): () => void
}

/** Interruptions from the terminal (SIGINT), for the commands. */
export const processInterrupts: InterruptSource = {
  onInterrupt(handler) {
    const listener = () => handler()
    process.on('SIGINT', listener)
    return () => process.off('SIGINT', listener)
  },
}

/** Interruptions triggered by hand, for tests. */
export function manualInterrupts(): InterruptSource & {interrupt(): void} {
  const handlers = new Set<() => void>()
  return {
    onInterrupt(handler) {
      handlers.add(handler)
      return () => handlers.delete(handler)
    },
    interrupt() {
      for (const h of handlers) h()
    },
  }
}
