// The change set operations of the CloudFormation API: create (with the changes computed against
// the stack), describe, list, delete and execute.

import {randomUUID} from 'node:crypto'
import {ServiceError} from '../frontend/types.js'
import type {CloudFormationApi, ApiOperation, Params} from './api.js'
import {checkCapabilities} from './prepare.js'
import {bool, checkName, required, stringList} from './query.js'
import * as shape from './shapes.js'
import type {ChangeSetRecord} from './stack-store.js'

const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set."

export const changeSetOps: Record<string, ApiOperation> = {
  async CreateChangeSet(api: CloudFormationApi, p: Params) {
    const stackName = required(p, 'StackName')
    const name = required(p, 'ChangeSetName')
    checkName(name, 'changeSetName')
    const type = (p.ChangeSetType ?? 'UPDATE') as 'CREATE' | 'UPDATE'
    if (type !== 'CREATE' && type !== 'UPDATE') {
      throw new ServiceError('ValidationError', `1 validation error detected: Value '${type}' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [UPDATE, IMPORT, CREATE]`)
    }
    let s = api.deps.store.find(stackName)
    if (type === 'CREATE') {
      checkName(stackName, 'stackName')
      if (s && s.status !== 'REVIEW_IN_PROGRESS') {
        throw new ServiceError('ValidationError', `Stack [${stackName}] already exists and cannot be created again with the changeSet [${name}].`)
      }
    } else {
      if (!s || s.status === 'REVIEW_IN_PROGRESS') throw new ServiceError('ValidationError', `Stack [${stackName}] does not exist`)
      api.checkUpdatable(s)
    }
    if (s?.changeSets.some((c) => c.name === name)) {
      throw new ServiceError('AlreadyExistsException', `ChangeSet ${name} already exists for stack ${s.stackId}`)
    }
    const roleArn = api.role(p)
    const fresh = !s
    const stack = s ?? api.newStack(stackName, p)
    const body = await api.templateBody(p, type === 'UPDATE' ? stack : undefined)
    const given = api.givenParameters(p)
    const prep = await api.prepare(stack, body, given, stack.parameters)
    const capabilities = stringList(p, 'Capabilities')
    checkCapabilities(prep.template, capabilities)
    const tags = api.tags(p) ?? stack.tags
    const changes = api.changes(type === 'CREATE' ? undefined : stack, prep)
    const empty = type === 'UPDATE' && api.noChanges(stack, prep, changes, tags)
    const cs: ChangeSetRecord = {
      id: `arn:aws:cloudformation:${api.deps.region}:${api.deps.accountId}:changeSet/${name}/${randomUUID()}`,
      name, type, status: empty ? 'FAILED' : 'CREATE_COMPLETE', ...(empty ? {statusReason: NO_CHANGES} : {}),
      executionStatus: empty ? 'UNAVAILABLE' : 'AVAILABLE', createdAt: api.now().toISOString(),
      ...(p.Description !== undefined ? {description: p.Description} : {}),
      templateBody: body, parameters: given, parameterValues: prep.params.given, noEcho: prep.noEcho, capabilities, tags, changes,
      ...(p.OnStackFailure ? {disableRollback: p.OnStackFailure === 'DO_NOTHING'} : {}),
      ...(roleArn ? {roleArn} : {}),
    }
    if (fresh) {
      api.deps.store.add(stack)
      api.deps.engine.stackStatus(stack, 'REVIEW_IN_PROGRESS', 'User Initiated')
    }
    stack.changeSets.push(cs)
    // A change set without changes can never be executed: losing it in a crash costs nothing.
    if (empty) api.deps.store.saveSoon(stack)
    else api.deps.store.save(stack)
    return {Id: cs.id, StackId: stack.stackId}
  },

  async DescribeChangeSet(api: CloudFormationApi, p: Params) {
    const {stack, cs} = api.changeSet(required(p, 'ChangeSetName'), p.StackName)
    return shape.changeSetShape(stack, cs, cs.noEcho ?? [])
  },

  async ListChangeSets(api: CloudFormationApi, p: Params) {
    const s = api.stack(required(p, 'StackName'))
    return {Summaries: s.changeSets.map((cs) => shape.changeSetSummaryShape(s, cs))}
  },

  async DeleteChangeSet(api: CloudFormationApi, p: Params) {
    const {stack, cs} = api.changeSet(required(p, 'ChangeSetName'), p.StackName)
    if (cs.executionStatus === 'EXECUTE_IN_PROGRESS') {
      throw new ServiceError('InvalidChangeSetStatus', `Cannot delete ChangeSet in status ${cs.executionStatus}`)
    }
    stack.changeSets = stack.changeSets.filter((c) => c !== cs)
    api.deps.store.save(stack)
    return {}
  },

  async ExecuteChangeSet(api: CloudFormationApi, p: Params) {
    const {stack, cs} = api.changeSet(required(p, 'ChangeSetName'), p.StackName)
    if (cs.executionStatus !== 'AVAILABLE') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`)
    }
    if (cs.type === 'UPDATE') api.checkUpdatable(stack)
    else if (stack.status !== 'REVIEW_IN_PROGRESS') {
      throw new ServiceError('InvalidChangeSetStatus', `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`)
    }
    const prep = await api.prepare(stack, cs.templateBody, cs.parameters, stack.parameters)
    stack.capabilities = cs.capabilities
    stack.tags = cs.tags
    if (cs.roleArn) stack.roleArn = cs.roleArn
    const disable = p.DisableRollback !== undefined ? bool(p.DisableRollback) : cs.disableRollback
    if (disable !== undefined) stack.disableRollback = disable
    cs.executionStatus = 'EXECUTE_IN_PROGRESS'
    stack.changeSetId = cs.id
    stack.changeSets = [cs]
    if (cs.type === 'CREATE') api.deps.engine.create(stack, prep, cs.id)
    else api.deps.engine.update(stack, prep, cs.id)
    return {}
  },
}
