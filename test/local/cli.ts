// Runs the built CLI (`bin/run.js`, from `npm run build`) as a user would: CI=true, no stdin.
import {execFile} from 'node:child_process'
import {existsSync, readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))
export const bin = join(root, 'bin', 'run.js')

export function requireBuild(): void {
  if (!existsSync(join(root, 'dist', 'local', 'main.js')) || !existsSync(join(root, 'dist', 'commands', 'local', 'start.js'))) {
    throw new Error('dist/ is missing the local control plane: run `npm run build` before these tests (npm test does)')
  }
}

export function pier(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], {env: {...process.env, CI: 'true', ...env}, cwd: root}, (err, stdout, stderr) => {
      resolve({code: err ? ((err as {code?: number}).code ?? 1) : 0, stdout, stderr})
    })
    child.stdin?.end()
  })
}

/** Pids of live processes whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text) && !readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z ')
      } catch {
        return false
      }
    })
    .map(Number)
}
