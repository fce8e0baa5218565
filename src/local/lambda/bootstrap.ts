// The program a Lambda invocation runs in (`node -e`), as Lambda's Node.js runtime would: it loads the
// handler from the function's code, calls it with the event (read from stdin) and a context, and sends
// the result or the error back over the IPC channel. CloudFormation's response URL (an S3 presigned URL
// on AWS, always https on port 443 in the handlers that write it) is routed to the control plane's
// loopback listener, for https.request and fetch alike.
export const BOOTSTRAP = String.raw`
'use strict'
const http = require('node:http')
const https = require('node:https')
const path = require('node:path')
const {pathToFileURL} = require('node:url')
const responseHost = process.env.PIER_CFN_RESPONSE_HOST
const responsePort = Number(process.env.PIER_CFN_RESPONSE_PORT)

function local(options) {
  return {...options, protocol: 'http:', hostname: '127.0.0.1', host: '127.0.0.1', port: responsePort, agent: undefined}
}
function normalize(args) {
  let [first, second, third] = args
  let options
  if (typeof first === 'string' || first instanceof URL) {
    const u = new URL(first)
    options = {hostname: u.hostname, port: u.port, path: u.pathname + u.search, protocol: u.protocol}
    if (typeof second === 'object' && second !== null) options = {...options, ...second}
    else third = second
  } else {
    options = {...first}
    third = second
  }
  return {options, callback: typeof third === 'function' ? third : undefined}
}
const originalRequest = https.request
https.request = function (...args) {
  const {options, callback} = normalize(args)
  if (responseHost && (options.hostname || options.host) === responseHost) return http.request(local(options), callback)
  return originalRequest.apply(https, args)
}
if (typeof globalThis.fetch === 'function') {
  const originalFetch = globalThis.fetch
  globalThis.fetch = (input, init) => {
    const u = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    if (responseHost && u.hostname === responseHost) return originalFetch('http://127.0.0.1:' + responsePort + u.pathname + u.search, init)
    return originalFetch(input, init)
  }
}

async function load(handler) {
  const dot = handler.lastIndexOf('.')
  const file = handler.slice(0, dot)
  const name = handler.slice(dot + 1)
  const root = process.cwd()
  const fs = require('node:fs')
  for (const ext of ['.js', '.cjs', '.mjs']) {
    const full = path.join(root, file + ext)
    if (!fs.existsSync(full)) continue
    let mod
    if (ext === '.mjs') mod = await import(pathToFileURL(full).href)
    else {
      try {
        mod = require(full)
      } catch (e) {
        if (e && e.code === 'ERR_REQUIRE_ESM') mod = await import(pathToFileURL(full).href)
        else throw e
      }
    }
    const fn = mod[name] ?? (mod.default && mod.default[name])
    if (typeof fn !== 'function') throw Object.assign(new Error(file + ext + ' does not export ' + name), {name: 'Runtime.HandlerNotFound'})
    return fn
  }
  throw Object.assign(new Error('Cannot find module ' + file), {name: 'Runtime.ImportModuleError'})
}

function send(message) {
  process.send(message, () => process.exit(0))
}
function failure(error) {
  return {errorType: (error && error.name) || 'Error', errorMessage: error && error.message !== undefined ? String(error.message) : String(error)}
}

let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', (d) => (input += d))
process.stdin.on('end', async () => {
  const event = JSON.parse(input)
  const deadline = Date.now() + Number(process.env.PIER_LAMBDA_TIMEOUT_MS)
  let settled = false
  const finish = (error, result) => {
    if (settled) return
    settled = true
    send(error ? {error: failure(error)} : {result: result === undefined ? null : result})
  }
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    invokedFunctionArn: process.env.PIER_LAMBDA_ARN,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: process.env.PIER_LAMBDA_REQUEST_ID,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (e, r) => finish(e, r),
    succeed: (r) => finish(null, r),
    fail: (e) => finish(e || new Error('failed')),
  }
  try {
    const handler = await load(process.env._HANDLER)
    const out = handler(event, context, (e, r) => finish(e, r))
    if (out && typeof out.then === 'function') finish(null, await out)
  } catch (e) {
    finish(e)
  }
})
`
