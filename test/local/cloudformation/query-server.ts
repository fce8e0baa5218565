// A minimal query-protocol endpoint for tests: form-encoded requests in, XML out (lists as <member>),
// AWS's ErrorResponse shape for ServiceErrors. It serves one QueryService on a loopback port, so a
// client we did not write (awscli) can drive the CloudFormation API.

import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {randomUUID} from 'node:crypto'
import type {QueryService} from '../../../src/local/frontend/types.js'

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export function toXml(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('')
  if (typeof value === 'object') {
    return Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `<${k}>${toXml(v)}</${k}>`).join('')
  }
  return escape(String(value))
}

export async function serveQuery(service: QueryService): Promise<{endpoint: string; close(): Promise<void>}> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
      const action = params.Action ?? ''
      delete params.Action
      delete params.Version
      const requestId = randomUUID()
      const ctx = {requestId, region: 'us-east-1', accountId: '000000000000', accessKeyId: 'test'}
      service.handle(action, params, ctx).then((result) => {
        res.writeHead(200, {'content-type': 'text/xml'})
        res.end(`<${action}Response xmlns="${service.xmlns}"><${action}Result>${toXml(result)}</${action}Result>` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`)
      }, (err: {code?: string; status?: number; message?: string}) => {
        res.writeHead(err.status ?? 500, {'content-type': 'text/xml'})
        res.end(`<ErrorResponse xmlns="${service.xmlns}"><Error><Type>Sender</Type><Code>${escape(err.code ?? 'InternalFailure')}</Code>` +
          `<Message>${escape(err.message ?? '')}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`)
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
