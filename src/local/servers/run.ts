// Runs a setup program (initdb, psql, mariadb) to completion; its stderr becomes the error's message.

import {execFile} from 'node:child_process'

export function run(file: string, args: string[], opts: {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number} = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, {env: {...process.env, ...opts.env}, cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 4 << 20}, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr || stdout || err.message).trim().split('\n').slice(-3).join(' | ')
        reject(new Error(`${file.split('/').pop()} failed: ${detail}`))
        return
      }
      resolve(stdout)
    })
  })
}

/** Copies a directory tree with its modes (a template data directory into a new server's). */
export function copyTree(from: string, to: string): Promise<string> {
  return run('/bin/cp', ['-a', from, to])
}
