// SNS and SQS for Worker Services, persisted in the state directory.

import {join} from 'node:path'
import type {JsonService, QueryService} from '../frontend/types.js'
import {JsonDocument} from '../store/json-file.js'
import {createSnsService, LocalSns, type SnsStore} from './sns.js'
import {createSqsService, LocalSqs} from './sqs.js'
import type {QueueRecord} from './sqs-model.js'

export interface LocalMessaging {
  sqs: LocalSqs
  sns: LocalSns
  json: JsonService[]
  query: QueryService[]
  close(): void
}

export function createMessaging(o: {stateDir: string; region: string; accountId: string; endpoint: () => string}): LocalMessaging {
  const doc = new JsonDocument<SnsStore & {queues: QueueRecord[]}>(join(o.stateDir, 'messaging.json'), {topics: [], subscriptions: [], queues: []})
  const save = () => doc.saveSoon()
  const sqs = new LocalSqs({region: o.region, accountId: o.accountId, endpoint: o.endpoint, queues: doc.value.queues, save})
  const sns = new LocalSns({region: o.region, accountId: o.accountId, store: doc.value, sqs, save})
  return {
    sqs,
    sns,
    json: [createSqsService(sqs)],
    query: [createSnsService(sns)],
    close() {
      sqs.close()
      doc.flush()
    },
  }
}
