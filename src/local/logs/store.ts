// Storage of CloudWatch Logs groups, streams and events. Group and stream metadata live in
// `<stateDir>/logs/groups.json`; each stream's events are an append-only NDJSON file under
// `<stateDir>/logs/events/` (one `[timestamp, ingestionTime, message]` array a line), loaded into memory
// the first time the stream is read. Task output is buffered and appended every 100 ms; events a
// client sends with PutLogEvents are appended before the call returns.

import {createHash} from 'node:crypto'
import {appendFileSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'

import {JsonDocument} from '../store/json-file.js'
import {dict} from '../store/dict.js'

export interface LogEvent {
  timestamp: number
  ingestionTime: number
  message: string
}

export interface StreamMeta {
  name: string
  created: number
  first?: number
  last?: number
  lastIngestion?: number
  bytes: number
}

export interface GroupMeta {
  name: string
  created: number
  retentionInDays?: number
  kmsKeyId?: string
  tags: Record<string, string>
  streams: Record<string, StreamMeta>
}

interface LoadedStream {
  events: LogEvent[]
  sorted: boolean
}

const FLUSH_MS = 100

export class LogsStore {
  private readonly doc: JsonDocument<{groups: Record<string, GroupMeta>}>
  private readonly loaded = new Map<string, LoadedStream>()
  private readonly pending = new Map<string, string[]>()
  private timer: NodeJS.Timeout | undefined
  private readonly eventsDir: string

  constructor(stateDir: string) {
    this.doc = new JsonDocument(join(stateDir, 'logs', 'groups.json'), {groups: {}}, 200)
    this.eventsDir = join(stateDir, 'logs', 'events')
    mkdirSync(this.eventsDir, {recursive: true, mode: 0o700})
  }

  get groups(): Record<string, GroupMeta> {
    return this.doc.value.groups
  }

  createGroup(name: string, opts: {tags?: Record<string, string>; kmsKeyId?: string} = {}): GroupMeta {
    const g: GroupMeta = {name, created: Date.now(), tags: Object.assign(dict<string>(), opts.tags), kmsKeyId: opts.kmsKeyId, streams: dict()}
    this.groups[name] = g
    this.doc.save()
    return g
  }

  deleteGroup(name: string): void {
    const g = this.groups[name]
    if (!g) return
    for (const s of Object.keys(g.streams)) this.dropStream(name, s)
    delete this.groups[name]
    this.doc.save()
  }

  createStream(group: GroupMeta, name: string): StreamMeta {
    const s: StreamMeta = {name, created: Date.now(), bytes: 0}
    group.streams[name] = s
    this.doc.save()
    return s
  }

  deleteStream(group: GroupMeta, name: string): void {
    this.dropStream(group.name, name)
    delete group.streams[name]
    this.doc.save()
  }

  /** Appends events (any order); `durable` writes them to disk before returning. */
  append(group: GroupMeta, stream: StreamMeta, events: {timestamp: number; message: string}[], durable: boolean): void {
    if (events.length === 0) return
    const key = fileKey(group.name, stream.name)
    const now = Date.now()
    const mem = this.loaded.get(key)
    const lines = this.pending.get(key) ?? []
    for (const e of events) {
      const ev = {timestamp: e.timestamp, ingestionTime: now, message: e.message}
      if (mem) {
        if (mem.events.length > 0 && mem.events.at(-1)!.timestamp > ev.timestamp) mem.sorted = false
        mem.events.push(ev)
      }
      lines.push(JSON.stringify([ev.timestamp, ev.ingestionTime, ev.message]))
      stream.first = stream.first === undefined ? ev.timestamp : Math.min(stream.first, ev.timestamp)
      stream.last = stream.last === undefined ? ev.timestamp : Math.max(stream.last, ev.timestamp)
      stream.bytes += Buffer.byteLength(e.message) + 26
    }
    stream.lastIngestion = now
    this.pending.set(key, lines)
    this.doc.saveSoon()
    if (durable) this.flush()
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), FLUSH_MS)
      this.timer.unref()
    }
  }

  /** The stream's events in timestamp order (stable for equal timestamps). */
  events(group: string, stream: string): LogEvent[] {
    const key = fileKey(group, stream)
    let mem = this.loaded.get(key)
    if (!mem) {
      this.flush()
      mem = {events: readEvents(join(this.eventsDir, `${key}.ndjson`)), sorted: false}
      this.loaded.set(key, mem)
    }
    if (!mem.sorted) {
      mem.events.sort((a, b) => a.timestamp - b.timestamp)
      mem.sorted = true
    }
    return mem.events
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    for (const [key, lines] of this.pending) {
      if (lines.length > 0) appendFileSync(join(this.eventsDir, `${key}.ndjson`), lines.join('\n') + '\n', {mode: 0o600})
    }
    this.pending.clear()
  }

  close(): void {
    this.flush()
    this.doc.flush()
  }

  saveMeta(): void {
    this.doc.save()
  }

  private dropStream(group: string, stream: string): void {
    const key = fileKey(group, stream)
    this.loaded.delete(key)
    this.pending.delete(key)
    rmSync(join(this.eventsDir, `${key}.ndjson`), {force: true})
  }
}

function fileKey(group: string, stream: string): string {
  return createHash('sha256').update(`${group}\0${stream}`).digest('hex').slice(0, 40)
}

function readEvents(path: string): LogEvent[] {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const out: LogEvent[] = []
  for (const line of text.split('\n')) {
    if (!line) continue
    try {
      const [timestamp, ingestionTime, message] = JSON.parse(line) as [number, number, string]
      out.push({timestamp, ingestionTime, message})
    } catch {
      // A line torn by a crash mid-append is skipped; the lines around it are intact.
    }
  }
  return out
}
