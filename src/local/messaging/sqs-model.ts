// SQS queues and messages as the local control plane keeps them.
import {createHash} from 'node:crypto'

export interface MessageAttributeValue {
  DataType: string
  StringValue?: string
  BinaryValue?: string
}

export interface StoredMessage {
  id: string
  body: string
  attributes: Record<string, MessageAttributeValue>
  sentAt: number
  visibleAt: number
  receiveCount: number
  firstReceivedAt?: number
  receipt?: string
  groupId?: string
  dedupId?: string
  sequence?: string
}

export interface QueueRecord {
  name: string
  arn: string
  url: string
  createdAt: number
  attributes: Record<string, string>
  tags: Record<string, string>
  messages: StoredMessage[]
  /** FIFO deduplication ids seen in the last five minutes. */
  dedup: Record<string, number>
  sequence: number
}

export const QUEUE_DEFAULTS: Record<string, string> = {
  VisibilityTimeout: '30',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  DelaySeconds: '0',
  ReceiveMessageWaitTimeSeconds: '0',
}

export const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex')

/** SQS's MD5 of message attributes: names sorted, each name, type and value length-prefixed. */
export function md5OfAttributes(attrs: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attrs).sort()
  if (names.length === 0) return undefined
  const parts: Buffer[] = []
  const lengthPrefixed = (b: Buffer) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(b.length)
    parts.push(len, b)
  }
  for (const name of names) {
    const a = attrs[name]!
    lengthPrefixed(Buffer.from(name, 'utf8'))
    lengthPrefixed(Buffer.from(a.DataType, 'utf8'))
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]))
      lengthPrefixed(Buffer.from(a.BinaryValue, 'base64'))
    } else {
      parts.push(Buffer.from([1]))
      lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8'))
    }
  }
  return md5(Buffer.concat(parts))
}
