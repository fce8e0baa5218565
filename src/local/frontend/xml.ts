// XML for the query protocol (STS, CloudFormation, ELBv2). How a QueryService shapes its result:
//   - the result is a plain object; each key becomes an element, in the object's key order;
//   - an array becomes a list of `<member>` elements (AWS's default list shape);
//   - a Date becomes ISO 8601 (`2026-01-02T03:04:05.000Z`); booleans `true`/`false`; numbers as written;
//   - `undefined` and `null` are omitted (AWS omits absent members);
//   - a nested object becomes nested elements (a structure);
//   - a `Map` becomes AWS's map shape, `<entry><key>k</key><value>v</value></entry>` (SNS and SQS
//     attributes); most APIs model maps as lists of `{Key, Value}` structures, i.e. arrays.

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;'})[c]!)
}

export function toXml(value: unknown, listItem = 'member'): string {
  if (value === undefined || value === null) return ''
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((v) => `<${listItem}>${toXml(v, listItem)}</${listItem}>`).join('')
  if (value instanceof Map) {
    return [...value].map(([k, v]) => `<entry><key>${escapeXml(String(k))}</key><value>${toXml(v)}</value></entry>`).join('')
  }
  if (typeof value === 'object') {
    let out = ''
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue
      out += `<${k}>${toXml(v, listItem)}</${k}>`
    }
    return out
  }
  return escapeXml(String(value))
}

export function queryResponse(action: string, xmlns: string, result: unknown, requestId: string): string {
  const body = result === undefined || result === null ? '' : `<${action}Result>${toXml(result)}</${action}Result>`
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${escapeXml(xmlns)}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\n`
  )
}

export function queryError(code: string, message: string, status: number, requestId: string, xmlns?: string): string {
  const type = status >= 500 ? 'Receiver' : 'Sender'
  const ns = xmlns ? ` xmlns="${escapeXml(xmlns)}"` : ''
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${ns}><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`
  )
}

/** EC2's dialect: the result's elements directly in the response, arrays as `<item>` lists. */
export function ec2Response(action: string, xmlns: string, result: unknown, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${escapeXml(xmlns)}"><requestId>${requestId}</requestId>${toXml(result, 'item')}</${action}Response>\n`
}

export function ec2Error(code: string, message: string, requestId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors>` +
    `<RequestID>${requestId}</RequestID></Response>\n`
  )
}
