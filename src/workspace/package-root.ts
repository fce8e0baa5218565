// The installed package's root (where schemas/ lives), found from this module's location, which
// differs between the source tree (tests) and the bundle (dist/chunks/...).
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schemas'))) return (cached = dir)
    dir = dirname(dir)
  }
  return (cached = process.cwd())
}
