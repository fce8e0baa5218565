// CloudWatch Logs (JSON 1.1, target prefix Logs_20140328): groups, streams, events, retention, tags,
// GetLogEvents with forward/backward tokens, FilterLogEvents with term patterns and pagination, resource
// policies (resource-policies.ts); and the
// LogSink the cluster manager writes task output through (awslogs: `<prefix>/<container>/<taskId>`).

import {ServiceError, type JsonService, type RequestContext} from '../frontend/types.js'
import type {LogSink} from '../contracts.js'
import {compileFilterPattern} from './filter-pattern.js'
import {decodeToken, encodeToken, InputReader, unknownOperation, type Input} from '../frontend/json-input.js'
import {LogsStore, type GroupMeta, type LogEvent, type StreamMeta} from './store.js'
import {ResourcePolicies} from './resource-policies.js'

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
const GROUP_NOT_FOUND = 'The specified log group does not exist.'
const STREAM_NOT_FOUND = 'The specified log stream does not exist.'
const DAY = 86_400_000

export class LogsService implements JsonService, LogSink {
  readonly targetPrefix = 'Logs_20140328'
  readonly signingName = 'logs'
  readonly store: LogsStore
  private readonly policies: ResourcePolicies

  constructor(stateDir: string, private readonly identity: {region: string; accountId: string}) {
    this.store = new LogsStore(stateDir)
    this.policies = new ResourcePolicies(stateDir)
  }

  append(group: string, stream: string, events: {timestamp: number; message: string}[], opts: {create?: boolean} = {}): void {
    let g = this.store.groups[group]
    if (!g) {
      if (!opts.create) throw new ServiceError('ResourceNotFoundException', GROUP_NOT_FOUND)
      g = this.store.createGroup(group)
    }
    const s = g.streams[stream] ?? this.store.createStream(g, stream)
    this.store.append(g, s, events, false)
  }

  close(): void {
    this.store.close()
  }

  async handle(operation: string, input: Input, _ctx: RequestContext): Promise<unknown> {
    const r = new InputReader(input, 'InvalidParameterException')
    switch (operation) {
      case 'CreateLogGroup': {
        const name = checkGroupName(r.string('logGroupName'))
        if (this.store.groups[name]) throw new ServiceError('ResourceAlreadyExistsException', 'The specified log group already exists')
        this.store.createGroup(name, {tags: stringMap(input.tags), kmsKeyId: r.optString('kmsKeyId')})
        return {}
      }
      case 'DeleteLogGroup':
        this.store.deleteGroup(this.group(r).name)
        return {}
      case 'DescribeLogGroups':
        return this.describeGroups(r)
      case 'PutRetentionPolicy': {
        const g = this.group(r)
        const days = r.optNumber('retentionInDays')
        if (days === undefined || !RETENTION_DAYS.includes(days)) {
          throw new ServiceError('InvalidParameterException', `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`)
        }
        g.retentionInDays = days
        this.store.saveMeta()
        return {}
      }
      case 'DeleteRetentionPolicy':
        delete this.group(r).retentionInDays
        this.store.saveMeta()
        return {}
      case 'CreateLogStream': {
        const g = this.group(r)
        const name = checkStreamName(r.string('logStreamName'))
        if (g.streams[name]) throw new ServiceError('ResourceAlreadyExistsException', 'The specified log stream already exists')
        this.store.createStream(g, name)
        return {}
      }
      case 'DeleteLogStream': {
        const g = this.group(r)
        this.stream(g, r.string('logStreamName'))
        this.store.deleteStream(g, r.string('logStreamName'))
        return {}
      }
      case 'DescribeLogStreams':
        return this.describeStreams(r)
      case 'PutLogEvents':
        return this.putEvents(r)
      case 'GetLogEvents':
        return this.getEvents(r)
      case 'FilterLogEvents':
        return this.filterEvents(r)
      case 'TagResource':
      case 'TagLogGroup': {
        const g = operation === 'TagLogGroup' ? this.group(r) : this.groupByArn(r.string('resourceArn'))
        Object.assign(g.tags, stringMap(input.tags))
        this.store.saveMeta()
        return {}
      }
      case 'UntagResource':
      case 'UntagLogGroup': {
        const g = operation === 'UntagLogGroup' ? this.group(r) : this.groupByArn(r.string('resourceArn'))
        for (const k of r.stringList(operation === 'UntagLogGroup' ? 'tags' : 'tagKeys')) delete g.tags[k]
        this.store.saveMeta()
        return {}
      }
      case 'ListTagsForResource':
        return {tags: this.groupByArn(r.string('resourceArn')).tags}
      case 'ListTagsLogGroup':
        return {tags: this.group(r).tags}
      case 'PutResourcePolicy':
        return this.policies.put(r)
      case 'DescribeResourcePolicies':
        return this.policies.describe()
      case 'DeleteResourcePolicy':
        return this.policies.delete(r)
      default:
        return unknownOperation('CloudWatch Logs', operation)
    }
  }

  private arn(group: string): string {
    return `arn:aws:logs:${this.identity.region}:${this.identity.accountId}:log-group:${group}`
  }

  private group(r: InputReader): GroupMeta {
    const id = r.optString('logGroupIdentifier')
    if (id !== undefined) return id.startsWith('arn:') ? this.groupByArn(id) : this.groupNamed(id)
    return this.groupNamed(r.string('logGroupName'))
  }

  private groupNamed(name: string): GroupMeta {
    const g = this.store.groups[name]
    if (!g) throw new ServiceError('ResourceNotFoundException', GROUP_NOT_FOUND)
    return g
  }

  private groupByArn(arn: string): GroupMeta {
    const m = /:log-group:(.+?)(:\*)?$/.exec(arn)
    if (!m) throw new ServiceError('InvalidParameterException', `${arn} is not a log group ARN.`)
    return this.groupNamed(m[1]!)
  }

  private stream(g: GroupMeta, name: string): StreamMeta {
    const s = g.streams[name]
    if (!s) throw new ServiceError('ResourceNotFoundException', STREAM_NOT_FOUND)
    return s
  }

  private describeGroups(r: InputReader): unknown {
    const prefix = r.optString('logGroupNamePrefix')
    const pattern = r.optString('logGroupNamePattern')
    if (prefix !== undefined && pattern !== undefined) {
      throw new ServiceError('InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.')
    }
    const names = Object.keys(this.store.groups)
      .filter((n) => (prefix === undefined || n.startsWith(prefix)) && (pattern === undefined || n.toLowerCase().includes(pattern.toLowerCase())))
      .sort()
    const page = pageAfter(names, r.optNumber('limit', 1, 50) ?? 50, r.optString('nextToken'))
    return {
      logGroups: page.items.map((n) => {
        const g = this.store.groups[n]!
        return {
          logGroupName: g.name,
          creationTime: g.created,
          retentionInDays: g.retentionInDays,
          metricFilterCount: 0,
          arn: `${this.arn(g.name)}:*`,
          logGroupArn: this.arn(g.name),
          storedBytes: Object.values(g.streams).reduce((n, s) => n + s.bytes, 0),
          kmsKeyId: g.kmsKeyId,
          logGroupClass: 'STANDARD',
        }
      }),
      nextToken: page.next,
    }
  }

  private describeStreams(r: InputReader): unknown {
    const g = this.group(r)
    const prefix = r.optString('logStreamNamePrefix')
    const orderBy = r.optString('orderBy') ?? 'LogStreamName'
    if (orderBy !== 'LogStreamName' && orderBy !== 'LastEventTime') {
      throw new ServiceError('InvalidParameterException', `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LastEventTime, LogStreamName]`)
    }
    if (prefix !== undefined && orderBy === 'LastEventTime') {
      throw new ServiceError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.')
    }
    const streams = Object.values(g.streams).filter((s) => prefix === undefined || s.name.startsWith(prefix))
    streams.sort((a, b) => (orderBy === 'LastEventTime' ? (a.last ?? 0) - (b.last ?? 0) || cmp(a.name, b.name) : cmp(a.name, b.name)))
    if (r.optBoolean('descending')) streams.reverse()
    const start = decodeToken<{at: number}>(r.optString('nextToken'), 'InvalidParameterException')?.at ?? 0
    const limit = r.optNumber('limit', 1, 50) ?? 50
    const items = streams.slice(start, start + limit)
    return {
      logStreams: items.map((s) => ({
        logStreamName: s.name,
        creationTime: s.created,
        firstEventTimestamp: s.first,
        lastEventTimestamp: s.last,
        lastIngestionTime: s.lastIngestion,
        uploadSequenceToken: '1',
        arn: `${this.arn(g.name)}:log-stream:${s.name}`,
        storedBytes: 0,
      })),
      nextToken: start + limit < streams.length ? encodeToken({at: start + limit}) : undefined,
    }
  }

  private putEvents(r: InputReader): unknown {
    const g = this.group(r)
    const s = this.stream(g, r.string('logStreamName'))
    const events = r.optList<{timestamp?: unknown; message?: unknown}>('logEvents') ?? []
    if (events.length === 0 || events.length > 10_000) {
      throw new ServiceError('InvalidParameterException', '1 validation error detected: Value at \'logEvents\' failed to satisfy constraint: Member must have length between 1 and 10000')
    }
    for (const [i, e] of events.entries()) {
      if (typeof e?.timestamp !== 'number' || typeof e.message !== 'string') {
        throw new ServiceError('InvalidParameterException', `Log event ${i} needs a numeric timestamp and a string message.`)
      }
      if (i > 0 && e.timestamp < (events[i - 1]!.timestamp as number)) {
        throw new ServiceError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.')
      }
    }
    if ((events.at(-1)!.timestamp as number) - (events[0]!.timestamp as number) > DAY) {
      throw new ServiceError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.')
    }
    const now = Date.now()
    // AWS rejects events older than 14 days or than the group's retention, and more than 2 hours ahead.
    const oldest = now - Math.min(14, g.retentionInDays ?? 14) * DAY
    let tooOld = -1
    let tooNew = events.length
    events.forEach((e, i) => {
      const t = e.timestamp as number
      if (t < oldest) tooOld = i
      if (t > now + 2 * 3600_000 && i < tooNew) tooNew = i
    })
    const accepted = events.slice(tooOld + 1, tooNew) as {timestamp: number; message: string}[]
    this.store.append(g, s, accepted, true)
    const rejected = tooOld >= 0 || tooNew < events.length
    return {
      nextSequenceToken: String(Date.now()),
      rejectedLogEventsInfo: rejected
        ? {tooOldLogEventEndIndex: tooOld >= 0 ? tooOld : undefined, tooNewLogEventStartIndex: tooNew < events.length ? tooNew : undefined}
        : undefined,
    }
  }

  private getEvents(r: InputReader): unknown {
    const g = this.group(r)
    this.stream(g, r.string('logStreamName'))
    const all = this.store.events(g.name, r.string('logStreamName'))
    const limit = r.optNumber('limit', 1, 10_000) ?? 10_000
    const keep = this.timeWindow(g, r.optNumber('startTime'), r.optNumber('endTime'))
    const token = r.optString('nextToken')
    let forward: boolean
    let pos: number
    if (token !== undefined) {
      const m = /^([fb])\/(\d+)$/.exec(token)
      if (!m) throw new ServiceError('InvalidParameterException', 'The specified nextToken is invalid.')
      forward = m[1] === 'f'
      pos = Math.min(Number(m[2]), all.length)
    } else {
      forward = r.optBoolean('startFromHead') ?? false
      pos = forward ? 0 : all.length
    }
    const picked: number[] = []
    if (forward) {
      for (let i = pos; i < all.length && picked.length < limit; i++) if (keep(all[i]!)) picked.push(i)
    } else {
      for (let i = pos - 1; i >= 0 && picked.length < limit; i--) if (keep(all[i]!)) picked.unshift(i)
    }
    const firstIdx = picked[0] ?? pos
    const nextIdx = picked.length > 0 ? picked.at(-1)! + 1 : pos
    return {
      events: picked.map((i) => ({timestamp: all[i]!.timestamp, message: all[i]!.message, ingestionTime: all[i]!.ingestionTime})),
      nextForwardToken: `f/${String(nextIdx).padStart(56, '0')}`,
      nextBackwardToken: `b/${String(firstIdx).padStart(56, '0')}`,
    }
  }

  private filterEvents(r: InputReader): unknown {
    const g = this.group(r)
    const names = r.optStringList('logStreamNames')
    const prefix = r.optString('logStreamNamePrefix')
    if (names && prefix !== undefined) {
      throw new ServiceError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.')
    }
    const match = compileFilterPattern(r.optString('filterPattern'))
    const keep = this.timeWindow(g, r.optNumber('startTime'), r.optNumber('endTime'))
    const limit = r.optNumber('limit', 1, 10_000) ?? 10_000
    const after = decodeToken<[number, string, number]>(r.optString('nextToken'), 'InvalidParameterException')
    const streams = Object.keys(g.streams)
      .filter((n) => (names ? names.includes(n) : prefix === undefined || n.startsWith(prefix)))
      .sort()
    const found: {stream: string; index: number; event: LogEvent}[] = []
    for (const stream of streams) {
      this.store.events(g.name, stream).forEach((event, index) => {
        if (!keep(event) || !match(event.message)) return
        if (after && cmpKey([event.timestamp, stream, index], after) <= 0) return
        found.push({stream, index, event})
      })
    }
    found.sort((a, b) => cmpKey([a.event.timestamp, a.stream, a.index], [b.event.timestamp, b.stream, b.index]))
    const page = found.slice(0, limit)
    const last = page.at(-1)
    return {
      events: page.map((f) => ({
        logStreamName: f.stream,
        timestamp: f.event.timestamp,
        message: f.event.message,
        ingestionTime: f.event.ingestionTime,
        eventId: `${f.event.timestamp}${String(streams.indexOf(f.stream)).padStart(6, '0')}${String(f.index).padStart(10, '0')}`,
      })),
      searchedLogStreams: streams.map((logStreamName) => ({logStreamName, searchedCompletely: found.length <= limit})),
      nextToken: found.length > limit && last ? encodeToken([last.event.timestamp, last.stream, last.index]) : undefined,
    }
  }

  /** Events inside [startTime, endTime] and the group's retention (expired events are not returned). */
  private timeWindow(g: GroupMeta, start?: number, end?: number): (e: LogEvent) => boolean {
    const retained = g.retentionInDays === undefined ? -Infinity : Date.now() - g.retentionInDays * DAY
    const from = Math.max(start ?? -Infinity, retained)
    const to = end ?? Infinity
    return (e) => e.timestamp >= from && e.timestamp <= to
  }
}

function checkGroupName(name: string): string {
  if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) {
    throw new ServiceError('InvalidParameterException', `1 validation error detected: Value '${name}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`)
  }
  return name
}

function checkStreamName(name: string): string {
  if (name.length === 0 || name.length > 512 || /[:*]/.test(name)) {
    throw new ServiceError('InvalidParameterException', `1 validation error detected: Value '${name}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`)
  }
  return name
}

function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new ServiceError('InvalidParameterException', 'tags must be a map of strings to strings.')
  }
  return v as Record<string, string>
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function cmpKey(a: [number, string, number], b: [number, string, number]): number {
  return a[0] - b[0] || cmp(a[1], b[1]) || a[2] - b[2]
}

function pageAfter(sorted: string[], limit: number, token: string | undefined): {items: string[]; next?: string} {
  const after = decodeToken<{after: string}>(token, 'InvalidParameterException')?.after
  const items = sorted.filter((n) => after === undefined || n > after).slice(0, limit)
  const more = items.length > 0 && sorted.indexOf(items.at(-1)!) < sorted.length - 1
  return {items, next: more ? encodeToken({after: items.at(-1)}) : undefined}
}
