// Yes/no questions on the terminal (stderr), only ever asked when stdin is a terminal and CI is unset.
import {createInterface} from 'node:readline/promises'

export async function askYesNo(question: string): Promise<boolean> {
  const rl = createInterface({input: process.stdin, output: process.stderr})
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase()
    return answer === 'y' || answer === 'yes'
  } finally {
    rl.close()
  }
}
