// A Dockerfile reader for the process driver: it does not build anything, it computes the runtime
// configuration an image built from the file would have (WORKDIR, ENV, ENTRYPOINT, CMD) and where
// COPY/ADD put the build context inside the image, so paths inside the image map back to the context.
// Pure: text in, configuration out.

export interface CopyMapping {
  /** Absolute path inside the image. */
  imagePath: string
  /** Source path relative to the build context ('.' for the whole context); may hold a glob. */
  source: string
  /** The destination is a directory the source is copied into (dest ends with '/' or several sources). */
  intoDirectory: boolean
}

export interface ImageConfig {
  /** Absolute path inside the image ('/' when the file sets none). */
  workdir: string
  env: Record<string, string>
  /** Exec form; shell form becomes [...shell, text]. */
  entrypoint?: string[]
  /** The SHELL instruction's command, ['/bin/sh', '-c'] by default. */
  shell: string[]
  cmd?: string[]
  user?: string
  exposedPorts: number[]
  copies: CopyMapping[]
}

export interface ParsedDockerfile {
  stages: {name?: string; from: string; config: ImageConfig}[]
  /** The stage the image is built from: `target` when given, else the last one. */
  final: ImageConfig
}

interface Instruction {
  keyword: string
  args: string
}

/** Splits a Dockerfile into instructions: comments dropped, continuation lines joined. */
export function readInstructions(text: string): Instruction[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  let escape = '\\'
  // Parser directives sit at the very top, before any instruction or blank line.
  for (const line of lines) {
    const m = /^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(line)
    if (!m) break
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2]
  }
  const out: Instruction[] = []
  let current = ''
  let heredoc: RegExp | undefined
  for (const raw of lines) {
    // Heredoc bodies (RUN <<EOF ... EOF) are content, not instructions.
    if (heredoc) {
      if (heredoc.test(raw)) heredoc = undefined
      continue
    }
    const trimmed = raw.trim()
    if (current === '' && (trimmed === '' || trimmed.startsWith('#'))) continue
    if (current !== '' && trimmed.startsWith('#')) continue
    const body = raw.replace(/\s+$/, '')
    if (body.endsWith(escape)) {
      current += body.slice(0, -1) + ' '
      continue
    }
    current += body
    pushInstruction(out, current)
    const here = /<<(-?)["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(current)
    if (here) heredoc = new RegExp(`^${here[1] ? '\\s*' : ''}${here[2]}\\s*$`)
    current = ''
  }
  if (current.trim() !== '') pushInstruction(out, current)
  return out
}

function pushInstruction(out: Instruction[], line: string): void {
  const m = /^\s*(\S+)\s*(.*)$/s.exec(line)
  if (m) out.push({keyword: m[1]!.toUpperCase(), args: m[2]!.trim()})
}

/** Expands $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alt}; `\$` stays a literal dollar. */
export function substitute(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, braced, op, word, bare) => {
    if (all === '\\$') return '$'
    const name = (braced ?? bare) as string
    const v = vars[name]
    if (op === '-') return v === undefined || v === '' ? word : v
    if (op === '+') return v === undefined || v === '' ? '' : word
    return v ?? ''
  })
}

/** Splits words the way the shell-like Dockerfile arguments are written: quotes group, backslash escapes. */
export function splitWords(text: string): string[] {
  const words: string[] = []
  let word = ''
  let has = false
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === quote) quote = undefined
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i]
      else word += c
    } else if (c === '"' || c === "'") {
      quote = c
      has = true
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i]
      has = true
    } else if (/\s/.test(c)) {
      if (has) words.push(word)
      word = ''
      has = false
    } else {
      word += c
      has = true
    }
  }
  if (has) words.push(word)
  return words
}

function parseJsonArray(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined
  try {
    const v = JSON.parse(args) as unknown
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined
  } catch {
    return undefined
  }
}

/** Exec form stays as written; shell form runs through the SHELL (/bin/sh -c), as Docker does. */
function commandForm(args: string, shell: string[]): string[] {
  return parseJsonArray(args) ?? [...shell, args]
}

export function joinImagePath(base: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${base}/${path}`).split('/')
  const out: string[] = []
  for (const p of parts) {
    if (p === '' || p === '.') continue
    if (p === '..') out.pop()
    else out.push(p)
  }
  return '/' + out.join('/')
}

function parseEnv(args: string, vars: Record<string, string | undefined>): [string, string][] {
  const words = splitWords(substitute(args, vars))
  if (words.length > 0 && !words[0]!.includes('=')) {
    // Legacy form: ENV KEY value with spaces
    const m = /^\s*(\S+)\s+(.*)$/s.exec(args)
    return m ? [[m[1]!, splitWords(substitute(m[2]!, vars)).join(' ')]] : [[words[0]!, '']]
  }
  return words.map((w) => {
    const i = w.indexOf('=')
    return [w.slice(0, i), w.slice(i + 1)] as [string, string]
  })
}

function cloneConfig(c: ImageConfig): ImageConfig {
  return {...c, env: {...c.env}, shell: [...c.shell], exposedPorts: [...c.exposedPorts], copies: [...c.copies]}
}

const emptyConfig = (baseEnv: Record<string, string> = {}): ImageConfig => ({workdir: '/', env: {...baseEnv}, shell: ['/bin/sh', '-c'], exposedPorts: [], copies: []})

/**
 * Computes each stage's runtime configuration. A stage `FROM` an earlier stage inherits its
 * configuration; a stage from any other image starts with `baseEnv` only (base image defaults are
 * unknown here; the process driver passes the host's PATH so `ENV PATH=/x:$PATH` keeps working).
 */
export function parseDockerfile(
  text: string,
  opts: {target?: string; buildArgs?: Record<string, string>; baseEnv?: Record<string, string>} = {},
): ParsedDockerfile {
  const stages: ParsedDockerfile['stages'] = []
  const globalArgs: Record<string, string | undefined> = {}
  let config: ImageConfig | undefined
  let args: Record<string, string | undefined> = {}
  let cmdInherited = false
  for (const {keyword, args: raw} of readInstructions(text)) {
    const vars = {...args, ...(config?.env ?? {})}
    if (keyword === 'ARG') {
      for (const w of splitWords(raw)) {
        const i = w.indexOf('=')
        const name = i < 0 ? w : w.slice(0, i)
        const given = opts.buildArgs?.[name]
        const value = given ?? (i < 0 ? (config ? globalArgs[name] : undefined) : substitute(w.slice(i + 1), vars))
        if (config) args[name] = value
        else globalArgs[name] = value
      }
      continue
    }
    if (keyword === 'FROM') {
      const words = splitWords(substitute(raw, globalArgs)).filter((w) => !w.startsWith('--'))
      const from = words[0] ?? 'scratch'
      const name = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined
      const parent = stages.find((s) => s.name !== undefined && s.name.toLowerCase() === from.toLowerCase())
      config = parent ? cloneConfig(parent.config) : emptyConfig(opts.baseEnv)
      cmdInherited = config.cmd !== undefined
      args = {}
      stages.push({name, from, config})
      continue
    }
    if (!config) continue
    switch (keyword) {
      case 'WORKDIR':
        config.workdir = joinImagePath(config.workdir, substitute(raw, vars))
        break
      case 'ENV':
        for (const [k, v] of parseEnv(raw, vars)) config.env[k] = v
        break
      case 'ENTRYPOINT':
        config.entrypoint = commandForm(raw, config.shell)
        // Docker: setting ENTRYPOINT clears a CMD inherited from the base image.
        if (cmdInherited) config.cmd = undefined
        break
      case 'CMD':
        config.cmd = commandForm(raw, config.shell)
        cmdInherited = false
        break
      case 'SHELL':
        config.shell = parseJsonArray(raw) ?? config.shell
        break
      case 'USER':
        config.user = substitute(raw, vars)
        break
      case 'EXPOSE':
        for (const w of splitWords(substitute(raw, vars))) {
          const port = Number.parseInt(w, 10)
          if (Number.isInteger(port)) config.exposedPorts.push(port)
        }
        break
      case 'COPY':
      case 'ADD':
        addCopies(config, raw, vars)
        break
    }
  }
  const chosen = opts.target ? stages.find((s) => s.name === opts.target) : stages[stages.length - 1]
  if (opts.target && !chosen) throw new Error(`target stage ${JSON.stringify(opts.target)} not found in the Dockerfile`)
  return {stages, final: chosen?.config ?? emptyConfig(opts.baseEnv)}
}

function addCopies(config: ImageConfig, raw: string, vars: Record<string, string | undefined>): void {
  const words = parseJsonArray(raw.replace(/^(--\S+\s+)+/, '')) ?? splitWords(substitute(raw, vars))
  const flags = splitWords(raw).filter((w) => w.startsWith('--'))
  // Copies from another stage or image do not come from the build context.
  if (flags.some((f) => f.startsWith('--from'))) return
  const paths = words.filter((w) => !w.startsWith('--'))
  if (paths.length < 2) return
  const dest = paths[paths.length - 1]!
  const sources = paths.slice(0, -1).filter((s) => !/^[a-z]+:\/\//i.test(s) && !s.startsWith('<<'))
  const intoDirectory = dest.endsWith('/') || paths.length > 2
  const imagePath = joinImagePath(config.workdir, dest)
  for (const source of sources) config.copies.push({imagePath, source: normalizeSource(source), intoDirectory})
}

function normalizeSource(source: string): string {
  const p = joinImagePath('/', source).slice(1)
  return p === '' ? '.' : p
}
