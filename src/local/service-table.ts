// A service as a table of operations: the frontend contracts built from `{Operation: handler}`, with
// the protocol's own answer to an operation the table lacks.

import {ServiceError, type JsonService, type QueryService} from './frontend/types.js'
import {decodeQueryParams} from './query-params.js'

type Table = Record<string, (input: any) => unknown>

/** A JSON service; an unknown operation gets `unknownCode` (SQS says UnsupportedOperation, others UnknownOperationException). */
export function jsonServiceFromTable(targetPrefix: string, signingName: string, ops: Table, unknownCode = 'UnknownOperationException'): JsonService {
  return {
    targetPrefix,
    signingName,
    async handle(operation, input) {
      const op = Object.hasOwn(ops, operation) ? ops[operation] : undefined
      if (!op) throw new ServiceError(unknownCode, `Operation ${operation} is not supported by the local control plane`)
      return op(input)
    },
  }
}

/** A query service whose handlers take the decoded form (`Targets.member.1.Id` → `{Targets: [{Id}]}`). */
export function queryServiceFromTable(meta: {signingName: string; version: string; xmlns: string}, ops: Table): QueryService {
  return {
    ...meta,
    async handle(action, params) {
      const op = Object.hasOwn(ops, action) ? ops[action] : undefined
      if (!op) throw new ServiceError('InvalidAction', `The action ${action} is not valid for this endpoint.`)
      return op(decodeQueryParams(params))
    },
  }
}
