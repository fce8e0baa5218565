// Amazon SQS in the local control plane (the JSON protocol the AWS SDKs use): standard and FIFO
// queues, visibility timeouts, long polling, delays, and redrive to a dead-letter queue.

import {randomUUID} from 'node:crypto'
import {ServiceError, type JsonService} from '../frontend/types.js'
import {jsonServiceFromTable} from '../service-table.js'
import {md5, md5OfAttributes, QUEUE_DEFAULTS, type MessageAttributeValue, type QueueRecord, type StoredMessage} from './sqs-model.js'
import {dict, dictOf} from '../store/dict.js'

export interface SqsOptions {
  region: string
  accountId: string
  /** Base of queue URLs (the control plane's endpoint). */
  endpoint: () => string
  queues: QueueRecord[]
  save(): void
}

const nonExistent = () => new ServiceError('AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.')

export class LocalSqs {
  private readonly waiters = new Set<() => void>()
  constructor(private readonly o: SqsOptions) {}

  get queues(): QueueRecord[] {
    return this.o.queues
  }

  queue(urlOrArnOrName: string): QueueRecord {
    const name = urlOrArnOrName.includes('/') ? urlOrArnOrName.split('/').pop()! : urlOrArnOrName.split(':').pop()!
    const q = this.queues.find((x) => x.name === name)
    if (!q) throw nonExistent()
    return q
  }

  createQueue(name: string, attributes: Record<string, string> = {}, tags: Record<string, string> = {}): QueueRecord {
    if (!/^[a-zA-Z0-9_-]{1,80}(\.fifo)?$/.test(name)) {
      throw new ServiceError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length')
    }
    const fifo = name.endsWith('.fifo')
    if (fifo !== (attributes.FifoQueue === 'true') && (fifo || attributes.FifoQueue === 'true')) {
      throw new ServiceError('InvalidParameterValue', 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.')
    }
    const existing = this.queues.find((q) => q.name === name)
    if (existing) return existing
    const q: QueueRecord = {
      name,
      arn: `arn:aws:sqs:${this.o.region}:${this.o.accountId}:${name}`,
      url: `${this.o.endpoint()}/${this.o.accountId}/${name}`,
      createdAt: Date.now(),
      attributes: Object.assign(dict<string>(), QUEUE_DEFAULTS, fifo ? {FifoQueue: 'true'} : undefined, attributes),
      tags: dictOf(tags),
      messages: [],
      dedup: dict(),
      sequence: 0,
    }
    this.queues.push(q)
    this.o.save()
    return q
  }

  deleteQueue(url: string): void {
    const q = this.queue(url)
    this.queues.splice(this.queues.indexOf(q), 1)
    this.o.save()
  }

  setAttributes(url: string, attributes: Record<string, string>): void {
    Object.assign(this.queue(url).attributes, attributes)
    this.o.save()
  }

  send(url: string, body: string, opts: {attributes?: Record<string, MessageAttributeValue>; delaySeconds?: number; groupId?: string; dedupId?: string} = {}): StoredMessage & {duplicate?: boolean} {
    const q = this.queue(url)
    const fifo = q.attributes.FifoQueue === 'true'
    if (body.length === 0) throw new ServiceError('MissingParameter', 'The request must contain the parameter MessageBody.')
    if (Buffer.byteLength(body) > Number(q.attributes.MaximumMessageSize)) {
      throw new ServiceError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${q.attributes.MaximumMessageSize} bytes.`)
    }
    if (fifo && !opts.groupId) throw new ServiceError('MissingParameter', 'The request must contain the parameter MessageGroupId.')
    const now = Date.now()
    let dedupId = opts.dedupId
    if (fifo) {
      if (!dedupId && q.attributes.ContentBasedDeduplication === 'true') dedupId = md5(body)
      if (!dedupId) throw new ServiceError('InvalidParameterValue', 'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly')
      for (const [k, t] of Object.entries(q.dedup)) if (t < now - 300_000) delete q.dedup[k]
      const seen = q.messages.find((m) => m.dedupId === dedupId)
      if (q.dedup[dedupId] && seen) return {...seen, duplicate: true}
      q.dedup[dedupId] = now
    }
    const delay = (opts.delaySeconds ?? Number(q.attributes.DelaySeconds)) * 1000
    const m: StoredMessage = {
      id: randomUUID(),
      body,
      attributes: opts.attributes ?? {},
      sentAt: now,
      visibleAt: now + (fifo ? 0 : delay),
      receiveCount: 0,
      groupId: opts.groupId,
      dedupId,
      sequence: fifo ? String(++q.sequence).padStart(20, '0') : undefined,
    }
    q.messages.push(m)
    this.o.save()
    for (const w of [...this.waiters]) w()
    return m
  }

  /** Messages visible now, honouring FIFO groups (none of a group while one of it is in flight). */
  private take(q: QueueRecord, max: number, visibility: number): StoredMessage[] {
    const now = Date.now()
    this.expire(q, now)
    const busyGroups = new Set(q.messages.filter((m) => m.groupId && m.visibleAt > now && m.receiveCount > 0).map((m) => m.groupId))
    const out: StoredMessage[] = []
    for (const m of q.messages) {
      if (out.length >= max) break
      if (m.visibleAt > now) continue
      if (m.groupId && busyGroups.has(m.groupId)) continue
      if (this.redrive(q, m)) continue
      m.receiveCount++
      m.firstReceivedAt ??= now
      m.visibleAt = now + visibility * 1000
      m.receipt = Buffer.from(`${q.name}:${m.id}:${randomUUID()}`).toString('base64')
      if (m.groupId) busyGroups.add(m.groupId)
      out.push(m)
    }
    if (out.length) this.o.save()
    return out
  }

  private expire(q: QueueRecord, now: number): void {
    const keep = now - Number(q.attributes.MessageRetentionPeriod) * 1000
    q.messages = q.messages.filter((m) => m.sentAt >= keep)
  }

  /** Moves a message that was received maxReceiveCount times to the dead-letter queue. */
  private redrive(q: QueueRecord, m: StoredMessage): boolean {
    if (!q.attributes.RedrivePolicy) return false
    const policy = JSON.parse(q.attributes.RedrivePolicy) as {deadLetterTargetArn: string; maxReceiveCount: number | string}
    if (m.receiveCount < Number(policy.maxReceiveCount)) return false
    const dlq = this.queues.find((x) => x.arn === policy.deadLetterTargetArn)
    if (!dlq) return false
    q.messages = q.messages.filter((x) => x !== m)
    dlq.messages.push({...m, visibleAt: Date.now(), receiveCount: 0, receipt: undefined})
    return true
  }

  async receive(url: string, opts: {max?: number; visibility?: number; waitSeconds?: number; signal?: AbortSignal} = {}): Promise<StoredMessage[]> {
    const q = this.queue(url)
    const max = opts.max ?? 1
    if (max < 1 || max > 10) throw new ServiceError('InvalidParameterValue', 'Value for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.')
    const visibility = opts.visibility ?? Number(q.attributes.VisibilityTimeout)
    const wait = Math.min(opts.waitSeconds ?? Number(q.attributes.ReceiveMessageWaitTimeSeconds), 20) * 1000
    const deadline = Date.now() + wait
    for (;;) {
      const got = this.take(q, max, visibility)
      if (got.length || Date.now() >= deadline || opts.signal?.aborted) return got
      const nextVisible = Math.min(...q.messages.map((m) => m.visibleAt).filter((t) => t > Date.now()), deadline)
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          this.waiters.delete(done)
          resolve()
        }
        const timer = setTimeout(done, Math.max(1, nextVisible - Date.now()))
        this.waiters.add(done)
      })
    }
  }

  private byReceipt(q: QueueRecord, receipt: string): StoredMessage | undefined {
    return q.messages.find((m) => m.receipt === receipt)
  }

  deleteMessage(url: string, receipt: string): void {
    const q = this.queue(url)
    if (!/^[A-Za-z0-9+/=]+$/.test(receipt)) throw new ServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${receipt}" is not a valid receipt handle.`)
    const m = this.byReceipt(q, receipt)
    if (m) q.messages = q.messages.filter((x) => x !== m)
    this.o.save()
  }

  changeVisibility(url: string, receipt: string, seconds: number): void {
    const q = this.queue(url)
    const m = this.byReceipt(q, receipt)
    if (!m) throw new ServiceError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.')
    m.visibleAt = Date.now() + seconds * 1000
    this.o.save()
    for (const w of [...this.waiters]) w()
  }

  purge(url: string): void {
    this.queue(url).messages = []
    this.o.save()
  }

  close(): void {
    for (const w of [...this.waiters]) w()
  }

  attributesOf(q: QueueRecord): Record<string, string> {
    const now = Date.now()
    return {
      ...q.attributes,
      QueueArn: q.arn,
      CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(q.createdAt / 1000)),
      ApproximateNumberOfMessages: String(q.messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(q.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
      ApproximateNumberOfMessagesDelayed: String(q.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
    }
  }
}

function wireMessage(m: StoredMessage, wanted: string[], wantedAttrs: string[]): Record<string, unknown> {
  const all = wanted.includes('All')
  const system: Record<string, string> = {
    SenderId: '000000000000',
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
    ...(m.groupId ? {MessageGroupId: m.groupId, MessageDeduplicationId: m.dedupId ?? '', SequenceNumber: m.sequence ?? ''} : {}),
  }
  const attrs = Object.fromEntries(Object.entries(m.attributes).filter(([k]) => wantedAttrs.includes('All') || wantedAttrs.includes('.*') || wantedAttrs.includes(k)))
  return {
    MessageId: m.id,
    ReceiptHandle: m.receipt,
    MD5OfBody: md5(m.body),
    Body: m.body,
    Attributes: all ? system : Object.fromEntries(Object.entries(system).filter(([k]) => wanted.includes(k))),
    ...(Object.keys(attrs).length ? {MessageAttributes: attrs, MD5OfMessageAttributes: md5OfAttributes(attrs)} : {}),
  }
}

/** A required string member; SQS answers MissingParameter or InvalidParameterValue otherwise. */
function str(i: Record<string, unknown>, member: string): string {
  const v = i[member]
  if (v === undefined || v === null) throw new ServiceError('MissingParameter', `The request must contain the parameter ${member}.`)
  if (typeof v !== 'string') throw new ServiceError('InvalidParameterValue', `Value for parameter ${member} must be a string.`)
  return v
}

/** An optional map of strings (attributes, tags), as a table with no prototype. */
function strings(i: Record<string, unknown>, member: string): Record<string, string> | undefined {
  const v = i[member]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new ServiceError('InvalidParameterValue', `Value for parameter ${member} must be a map of strings.`)
  }
  return dictOf(v as Record<string, string>)
}

export function createSqsService(sqs: LocalSqs): JsonService {
  const ops: Record<string, (i: any) => unknown> = {
    CreateQueue: (i) => ({QueueUrl: sqs.createQueue(str(i, 'QueueName'), strings(i, 'Attributes'), strings(i, 'tags')).url}),
    GetQueueUrl: (i) => ({QueueUrl: sqs.queue(str(i, 'QueueName')).url}),
    ListQueues: (i) => ({QueueUrls: sqs.queues.filter((q) => !i.QueueNamePrefix || q.name.startsWith(i.QueueNamePrefix)).map((q) => q.url)}),
    DeleteQueue: (i) => (sqs.deleteQueue(i.QueueUrl), {}),
    GetQueueAttributes: (i) => {
      const attrs = sqs.attributesOf(sqs.queue(i.QueueUrl))
      const names: string[] = i.AttributeNames ?? []
      return {Attributes: names.includes('All') ? attrs : Object.fromEntries(Object.entries(attrs).filter(([k]) => names.includes(k)))}
    },
    SetQueueAttributes: (i) => (sqs.setAttributes(str(i, 'QueueUrl'), strings(i, 'Attributes') ?? dict()), {}),
    SendMessage: (i) => {
      const m = sqs.send(i.QueueUrl, i.MessageBody ?? '', {attributes: i.MessageAttributes, delaySeconds: i.DelaySeconds, groupId: i.MessageGroupId, dedupId: i.MessageDeduplicationId})
      return {MessageId: m.id, MD5OfMessageBody: md5(m.body), MD5OfMessageAttributes: md5OfAttributes(m.attributes), SequenceNumber: m.sequence}
    },
    SendMessageBatch: (i) => {
      const Successful = (i.Entries ?? []).map((e: any) => {
        const m = sqs.send(i.QueueUrl, e.MessageBody ?? '', {attributes: e.MessageAttributes, delaySeconds: e.DelaySeconds, groupId: e.MessageGroupId, dedupId: e.MessageDeduplicationId})
        return {Id: e.Id, MessageId: m.id, MD5OfMessageBody: md5(m.body), MD5OfMessageAttributes: md5OfAttributes(m.attributes), SequenceNumber: m.sequence}
      })
      return {Successful, Failed: []}
    },
    ReceiveMessage: async (i) => {
      const got = await sqs.receive(i.QueueUrl, {max: i.MaxNumberOfMessages, visibility: i.VisibilityTimeout, waitSeconds: i.WaitTimeSeconds})
      const wanted: string[] = [...(i.AttributeNames ?? []), ...(i.MessageSystemAttributeNames ?? [])]
      return {Messages: got.map((m) => wireMessage(m, wanted, i.MessageAttributeNames ?? []))}
    },
    DeleteMessage: (i) => (sqs.deleteMessage(i.QueueUrl, i.ReceiptHandle), {}),
    DeleteMessageBatch: (i) => {
      for (const e of i.Entries ?? []) sqs.deleteMessage(i.QueueUrl, e.ReceiptHandle)
      return {Successful: (i.Entries ?? []).map((e: any) => ({Id: e.Id})), Failed: []}
    },
    ChangeMessageVisibility: (i) => (sqs.changeVisibility(i.QueueUrl, i.ReceiptHandle, Number(i.VisibilityTimeout)), {}),
    PurgeQueue: (i) => (sqs.purge(i.QueueUrl), {}),
    TagQueue: (i) => (Object.assign(sqs.queue(str(i, 'QueueUrl')).tags, strings(i, 'Tags')), {}),
    ListQueueTags: (i) => ({Tags: sqs.queue(i.QueueUrl).tags}),
  }
  return jsonServiceFromTable('AmazonSQS', 'sqs', ops, 'UnsupportedOperation')
}
