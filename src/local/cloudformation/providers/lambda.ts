// Lambda functions and Lambda-backed custom resources. A custom resource's handler is invoked with
// CloudFormation's event and answers on the response URL, as on AWS; its Data become the resource's
// attributes. Only Node.js functions run (docs/local-cloudformation.md says what else is not emulated).
import {randomUUID} from 'node:crypto'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import type {LambdaFunctions} from '../../lambda/functions.js'
import {ProviderError, type ProviderContext, type ProviderRegistry, type ResourceProvider, type ResourceResult} from '../provider.js'

export const CUSTOM_RESOURCE = 'AWS::CloudFormation::CustomResource'

export interface LambdaProviderDeps {
  functions: LambdaFunctions
  /** Reads a deployment package from the local S3. */
  readObject(bucket: string, key: string): Buffer | undefined
  /** Writes a function's output to its log group, as Lambda does. */
  log?(group: string, stream: string, line: string): void
}

function functionName(props: Record<string, any>, ctx: ProviderContext): string {
  if (props.FunctionName) return String(props.FunctionName)
  const suffix = randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()
  return `${ctx.stackName}-${ctx.logicalId}`.slice(0, 64 - suffix.length - 1) + `-${suffix}`
}

function functionProvider(deps: LambdaProviderDeps): ResourceProvider {
  const put = (name: string, props: Record<string, any>): ResourceResult => {
    const code = props.Code ?? {}
    let source: {zipFile: string} | {zip: Buffer}
    if (typeof code.ZipFile === 'string') source = {zipFile: code.ZipFile}
    else if (code.S3Bucket && code.S3Key) {
      const zip = deps.readObject(String(code.S3Bucket), String(code.S3Key))
      if (!zip) throw new ProviderError(`Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (s3://${code.S3Bucket}/${code.S3Key})`)
      source = {zip}
    } else if (code.ImageUri) {
      throw new ProviderError('The local control plane does not run container-image Lambda functions (Code.ImageUri).')
    } else {
      throw new ProviderError('Properties validation failed for resource: Code needs ZipFile, or S3Bucket and S3Key.')
    }
    const variables = (props.Environment?.Variables ?? {}) as Record<string, unknown>
    try {
      const fn = deps.functions.put(
        {
          name,
          runtime: String(props.Runtime ?? ''),
          handler: String(props.Handler ?? 'index.handler'),
          timeoutSeconds: Number(props.Timeout ?? 3),
          memoryMb: Number(props.MemorySize ?? 128),
          environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
          role: props.Role === undefined ? undefined : String(props.Role),
        },
        source,
      )
      return {physicalId: fn.name, attributes: {Arn: fn.arn}}
    } catch (error) {
      if (error instanceof ProviderError) throw error
      throw new ProviderError(`Could not unzip uploaded file: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  return {
    required: ['Role'],
    immutable: ['FunctionName', 'PackageType'],
    async create(props, ctx) {
      if (!props.Code) throw new ProviderError('Properties validation failed for resource: required key [Code] not found')
      if (!/^nodejs\d+\.x$/.test(String(props.Runtime ?? ''))) ctx.progress(`Recorded only, not run by the local control plane: the ${String(props.Runtime ?? 'image')} runtime (Node.js functions run)`)
      return put(functionName(props, ctx), props)
    },
    async update(physicalId, props) {
      return put(physicalId, props)
    },
    async delete(physicalId) {
      deps.functions.delete(physicalId)
    },
  }
}

interface CustomResponse {
  Status?: string
  Reason?: string
  PhysicalResourceId?: string
  Data?: Record<string, unknown>
}

/** Invokes the custom resource's handler and waits for its answer on the response URL. */
async function callHandler(deps: LambdaProviderDeps, ctx: ProviderContext, request: Record<string, unknown>, serviceToken: string): Promise<CustomResponse> {
  const fn = deps.functions.find(serviceToken)
  if (!fn) throw new ProviderError(`Received response status [FAILED] from custom resource. Message returned: the ServiceToken ${serviceToken} names no Lambda function of the local control plane.`)
  let answer: ((r: CustomResponse) => void) | undefined
  const answered = new Promise<CustomResponse>((resolve) => (answer = resolve))
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      res.writeHead(200).end()
      try {
        answer!(JSON.parse(Buffer.concat(chunks).toString('utf8')) as CustomResponse)
      } catch {
        answer!({Status: 'FAILED', Reason: 'the response sent to the response URL is not JSON'})
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const host = `cloudformation-custom-resource-response-${ctx.region.replace(/-/g, '')}.s3.amazonaws.com`
  const requestId = String(request.RequestId)
  const event = {
    ...request,
    ServiceToken: serviceToken,
    ResponseURL: `https://${host}/${encodeURIComponent(`${ctx.stackId}|${ctx.logicalId}|${requestId}`)}?X-Amz-Expires=7200`,
    StackId: ctx.stackId,
    LogicalResourceId: ctx.logicalId,
  }
  const stream = `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${requestId.replace(/-/g, '')}`
  try {
    const invoked = deps.functions.invoke(serviceToken, event, {
      environment: {PIER_CFN_RESPONSE_HOST: host, PIER_CFN_RESPONSE_PORT: String((server.address() as AddressInfo).port)},
      onLog: (line) => deps.log?.(`/aws/lambda/${fn.name}`, stream, line),
    })
    const outcome = await Promise.race([answered, invoked.then((inv) => ({inv}))])
    if (!('inv' in outcome)) return outcome
    // The process ended: a response it sent just before is still welcome.
    const late = await Promise.race([answered, new Promise<undefined>((r) => setTimeout(r, 100, undefined))])
    if (late) return late
    const why = outcome.inv.error ? `${outcome.inv.error.errorType}: ${outcome.inv.error.errorMessage}` : 'the handler returned without sending one'
    const tail = outcome.inv.logs.slice(-3).join(' | ')
    throw new ProviderError(`Custom resource ${ctx.logicalId} did not send a response: ${why}${tail ? ` (last log lines: ${tail})` : ''}`)
  } catch (error) {
    if (error instanceof ProviderError) throw error
    throw new ProviderError(`Custom resource ${ctx.logicalId} could not be invoked: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    server.close()
  }
}

function customResourceProvider(deps: LambdaProviderDeps): ResourceProvider {
  const run = async (ctx: ProviderContext, props: Record<string, any>, request: Record<string, unknown>): Promise<ResourceResult> => {
    const token = props.ServiceToken
    if (typeof token !== 'string' || !token) throw new ProviderError('Properties validation failed for resource: required key [ServiceToken] not found')
    const response = await callHandler(deps, ctx, {RequestId: randomUUID(), ResourceType: CUSTOM_RESOURCE, ResourceProperties: props, ...request}, token)
    if (response.Status !== 'SUCCESS') {
      throw new ProviderError(`Received response status [${response.Status ?? 'FAILED'}] from custom resource. Message returned: ${response.Reason ?? 'no reason given'}`)
    }
    return {physicalId: response.PhysicalResourceId ?? `${ctx.stackName}-${ctx.logicalId}`, attributes: response.Data ?? {}}
  }
  return {
    required: ['ServiceToken'],
    async create(props, ctx) {
      return run(ctx, props, {RequestType: 'Create'})
    },
    async update(physicalId, props, oldProps, ctx) {
      return run(ctx, props, {RequestType: 'Update', PhysicalResourceId: physicalId, OldResourceProperties: oldProps})
    },
    async delete(physicalId, props, ctx) {
      // A function already gone (deleted with the stack before) cannot be asked; AWS would wait an hour.
      if (!deps.functions.find(String(props.ServiceToken ?? ''))) return
      await run(ctx, props, {RequestType: 'Delete', PhysicalResourceId: physicalId})
    },
  }
}

export function registerLambdaProviders(registry: ProviderRegistry, deps: LambdaProviderDeps): void {
  registry.register('AWS::Lambda::Function', functionProvider(deps))
  registry.register(CUSTOM_RESOURCE, customResourceProvider(deps))
}
