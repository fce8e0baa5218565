// STS (query protocol, version 2011-06-15): GetCallerIdentity answers with the fixed local identity.
// The account is the local account; the caller is its root user, whose access key signed the request.

import {ServiceError, type QueryService, type RequestContext} from '../frontend/types.js'

export class StsService implements QueryService {
  readonly signingName = 'sts'
  readonly version = '2011-06-15'
  readonly xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/'

  async handle(action: string, _params: Record<string, string>, ctx: RequestContext): Promise<unknown> {
    switch (action) {
      case 'GetCallerIdentity':
        return {Arn: `arn:aws:iam::${ctx.accountId}:root`, UserId: ctx.accountId, Account: ctx.accountId}
      case 'GetAccessKeyInfo':
        return {Account: ctx.accountId}
      default:
        throw new ServiceError('InvalidAction', `Could not find operation ${action} for version ${this.version}.`)
    }
  }
}
