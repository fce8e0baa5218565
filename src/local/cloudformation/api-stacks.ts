// The stack operations of the CloudFormation API: create, update, delete, cancel an update and
// continue a failed rollback. Each checks what AWS checks before handing the stack to the engine.

import {ServiceError} from '../frontend/types.js'
import type {CloudFormationApi, ApiOperation, Params} from './api.js'
import {checkCapabilities} from './prepare.js'
import {bool, checkName, required, stringList} from './query.js'

export const stackOps: Record<string, ApiOperation> = {
  async CreateStack(api: CloudFormationApi, p: Params) {
    const name = required(p, 'StackName')
    checkName(name, 'stackName')
    const existing = api.deps.store.find(name)
    if (existing) throw new ServiceError('AlreadyExistsException', `Stack [${name}] already exists`)
    const body = await api.templateBody(p)
    const roleArn = api.role(p)
    const stack = api.newStack(name, p)
    if (roleArn) stack.roleArn = roleArn
    const prep = await api.prepare(stack, body, api.givenParameters(p), {})
    const capabilities = stringList(p, 'Capabilities')
    checkCapabilities(prep.template, capabilities)
    stack.capabilities = capabilities
    if (p.OnFailure !== undefined && p.DisableRollback !== undefined) {
      throw new ServiceError('ValidationError', 'You can specify either DisableRollback or OnFailure, but not both.')
    }
    if (p.OnFailure !== undefined) {
      if (!['ROLLBACK', 'DELETE', 'DO_NOTHING'].includes(p.OnFailure)) {
        throw new ServiceError('ValidationError', `1 validation error detected: Value '${p.OnFailure}' at 'onFailure' failed to satisfy constraint: Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]`)
      }
      stack.onFailure = p.OnFailure as 'ROLLBACK' | 'DELETE' | 'DO_NOTHING'
    }
    stack.disableRollback = bool(p.DisableRollback) === true || p.OnFailure === 'DO_NOTHING'
    if (p.TimeoutInMinutes !== undefined) {
      const minutes = Number(p.TimeoutInMinutes)
      if (!Number.isInteger(minutes) || minutes < 1) {
        throw new ServiceError('ValidationError', `1 validation error detected: Value '${p.TimeoutInMinutes}' at 'timeoutInMinutes' failed to satisfy constraint: Member must have value greater than or equal to 1`)
      }
      stack.timeoutInMinutes = minutes
    }
    api.deps.store.add(stack)
    api.deps.engine.create(stack, prep)
    return {StackId: stack.stackId}
  },

  async UpdateStack(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    api.checkUpdatable(s)
    const roleArn = api.role(p)
    const body = await api.templateBody(p, s)
    const prep = await api.prepare(s, body, api.givenParameters(p), s.parameters)
    const capabilities = stringList(p, 'Capabilities')
    checkCapabilities(prep.template, capabilities)
    const tags = api.tags(p) ?? s.tags
    const changes = api.changes(s, prep)
    if (api.noChanges(s, prep, changes, tags)) throw new ServiceError('ValidationError', 'No updates are to be performed.')
    s.capabilities = capabilities
    s.tags = tags
    if (roleArn) s.roleArn = roleArn
    if (p.DisableRollback !== undefined) s.disableRollback = bool(p.DisableRollback) === true
    api.deps.engine.update(s, prep)
    return {StackId: s.stackId}
  },

  async DeleteStack(api: CloudFormationApi, p: Params) {
    const s = api.deps.store.find(required(p, 'StackName'))
    if (!s || s.status === 'DELETE_COMPLETE' || s.status === 'DELETE_IN_PROGRESS') return {}
    api.role(p)
    const retain = stringList(p, 'RetainResources')
    if (retain.length > 0 && s.status !== 'DELETE_FAILED') {
      throw new ServiceError('ValidationError', `Invalid operation on stack [${s.stackId}]. RetainResources can only be specified when the stack is in the DELETE_FAILED state`)
    }
    if (api.deps.engine.isRunning(s.stackId)) {
      api.deps.engine.deleteWhileCreating(s)
      return {}
    }
    api.deps.engine.delete(s, retain)
    return {}
  },

  async CancelUpdateStack(api: CloudFormationApi, p: Params) {
    api.deps.engine.cancelUpdate(api.stack(required(p, 'StackName')))
    return {}
  },

  async ContinueUpdateRollback(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    if (s.status !== 'UPDATE_ROLLBACK_FAILED' || api.deps.engine.isRunning(s.stackId)) {
      throw new ServiceError('ValidationError', `Stack ${s.stackId} is in ${s.status} state and cannot continue update rollback.`)
    }
    api.deps.engine.continueRollback(s, stringList(p, 'ResourcesToSkip'))
    return {}
  },
}
