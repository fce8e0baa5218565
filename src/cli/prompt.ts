// Asking for what is missing, only on a terminal: in CI or without a terminal on stdin a missing
// value is an error naming the flag to pass (Copilot's order: validate, ask, execute, recommend).
import {UserError} from '../errors.js'

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY) && !process.env.CI
}

export interface Ask {
  flag: string
  question: string
  choices?: readonly string[]
  /** Example value for the error message. */
  example?: string
  default?: string
}

/** The value if given; otherwise asks on a terminal, or fails naming the flag. */
export async function requireValue(value: string | undefined, ask: Ask): Promise<string> {
  if (value !== undefined && value !== '') return value
  if (!isInteractive()) {
    throw new UserError(`missing ${ask.flag}: Pier does not prompt ${process.env.CI ? 'in CI' : 'when stdin is not a terminal'}`, {
      hint: `Pass ${ask.flag}${ask.example ? ` (e.g. ${ask.flag} ${ask.example})` : ''}${ask.choices ? `; one of: ${ask.choices.map((c) => JSON.stringify(c)).join(', ')}` : ''}.`,
    })
  }
  const {createInterface} = await import('node:readline/promises')
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    for (;;) {
      if (ask.choices) ask.choices.forEach((c, i) => process.stderr.write(`  ${i + 1}. ${c}\n`))
      const suffix = ask.default ? ` (${ask.default})` : ''
      const answer = (await rl.question(`? ${ask.question}${suffix} `)).trim() || ask.default || ''
      if (!ask.choices) {
        if (answer) return answer
        continue
      }
      const byNumber = ask.choices[Number(answer) - 1]
      const byName = ask.choices.find((c) => c.toLowerCase() === answer.toLowerCase())
      if (byNumber ?? byName) return (byNumber ?? byName)!
      process.stderr.write(`  Pick a number from 1 to ${ask.choices.length}.\n`)
    }
  } finally {
    rl.close()
  }
}

/** A yes/no question on the terminal (stderr); only ever asked when stdin is a terminal and CI is unset. */
export async function askYesNo(question: string): Promise<boolean> {
  const {createInterface} = await import('node:readline/promises')
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase()
    return answer === 'y' || answer === 'yes'
  } finally {
    rl.close()
  }
}
