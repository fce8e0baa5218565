// A control plane on a free loopback port in a fresh state directory, and SDK client settings for it.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {LOCAL_ACCESS_KEY_ID, LOCAL_REGION, LOCAL_SECRET_ACCESS_KEY} from '../../src/local/contracts.js'
import {createControlPlane, type ControlPlane} from '../../src/local/control-plane.js'

export interface Harness {
  cp: ControlPlane
  stateDir: string
  config: {endpoint: string; region: string; credentials: {accessKeyId: string; secretAccessKey: string}; maxAttempts: number}
  close(): Promise<void>
}

export async function startControlPlane(stateDir = mkdtempSync(join(tmpdir(), 'pier-local-'))): Promise<Harness> {
  const lines: string[] = []
  const cp = await createControlPlane({stateDir, port: 0, log: (l) => lines.push(l)})
  return {
    cp,
    stateDir,
    config: {
      endpoint: cp.endpoint,
      region: LOCAL_REGION,
      credentials: {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY},
      maxAttempts: 1,
    },
    async close() {
      await cp.close()
      rmSync(stateDir, {recursive: true, force: true})
    },
  }
}

/** Sends a request signed with SigV4 (or not, with `sign: false`) and returns status, headers and body. */
export async function rawRequest(
  endpoint: string,
  opts: {
    service: string
    body: string | Buffer
    headers?: Record<string, string>
    credentials?: {accessKeyId: string; secretAccessKey: string}
    sign?: boolean
    method?: string
    path?: string
    query?: Record<string, string>
    tamper?: (signed: {headers: Record<string, string>; body: string | Buffer}) => void
  },
): Promise<{status: number; headers: Headers; text: string}> {
  const {SignatureV4} = await import('@smithy/signature-v4')
  const {Sha256} = await import('@aws-crypto/sha256-js')
  const url = new URL(endpoint)
  const request = {
    method: opts.method ?? 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: opts.path ?? '/',
    query: opts.query ?? {},
    headers: {host: url.host, ...opts.headers},
    body: opts.body,
  }
  let headers: Record<string, string> = request.headers
  if (opts.sign !== false) {
    const signer = new SignatureV4({
      credentials: opts.credentials ?? {accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY},
      region: LOCAL_REGION,
      service: opts.service,
      sha256: Sha256,
    })
    headers = (await signer.sign(request)).headers as Record<string, string>
  }
  const signed = {headers: {...headers}, body: opts.body}
  opts.tamper?.(signed)
  delete signed.headers.host
  const qs = new URLSearchParams(opts.query ?? {}).toString()
  const res = await fetch(`${endpoint}${request.path}${qs ? `?${qs}` : ''}`, {method: request.method, headers: signed.headers, body: request.method === 'GET' ? undefined : signed.body})
  return {status: res.status, headers: res.headers, text: await res.text()}
}

export function jsonHeaders(target: string): Record<string, string> {
  return {'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target}
}
