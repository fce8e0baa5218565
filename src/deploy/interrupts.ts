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

/**
 * Holds the presses that arrive before anyone watches for them. A deploy subscribes for its whole run,
 * so a Ctrl-C between two steps (while the change set is created, or just after it executes and before
 * the watch starts) is neither lost nor left to Node's default handler, which would end the process
 * with the stack changing and nobody watching. Late subscribers are told of earlier presses at once.
 */
export function latchInterrupts(source: InterruptSource | undefined): InterruptSource & {presses(): number; close(): void} {
  let presses = 0
  const handlers = new Set<() => void>()
  const off = source?.onInterrupt(() => {
    presses++
    for (const h of handlers) h()
  })
  return {
    presses: () => presses,
    onInterrupt(handler) {
      handlers.add(handler)
      for (let i = 0; i < presses; i++) handler()
      return () => handlers.delete(handler)
    },
    close() {
      handlers.clear()
      off?.()
    },
  }
}
