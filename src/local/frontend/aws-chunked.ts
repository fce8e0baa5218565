// The `aws-chunked` content encoding S3 clients use for streaming uploads:
//   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailer>:<value>\r\n]*\r\n
// With STREAMING-AWS4-HMAC-SHA256-PAYLOAD each chunk is signed over the previous signature (the seed is
// the request's own), so a chunk cannot be altered, dropped or reordered; the UNSIGNED variants carry
// plain chunks and an optional trailer (a checksum).

export interface ChunkSigner {
  /** The signature of one chunk, given the previous signature. */
  chunk(previous: string, data: Uint8Array): Promise<string>
  /** The signature of the trailing headers (`name:value\n` lines), given the last chunk's signature. */
  trailer(previous: string, trailer: string): Promise<string>
}

export type Decoded = {ok: true; body: Uint8Array; trailers: Record<string, string>} | {ok: false; message: string}

const CRLF = Buffer.from('\r\n')

/** Decodes an aws-chunked body; with `signer`, checks every chunk signature starting from `seed`. */
export async function decodeAwsChunked(raw: Uint8Array, opts: {signer?: ChunkSigner; seed?: string} = {}): Promise<Decoded> {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  const parts: Buffer[] = []
  let pos = 0
  let previous = opts.seed ?? ''
  for (;;) {
    const eol = buf.indexOf(CRLF, pos)
    if (eol < 0) return {ok: false, message: 'The aws-chunked body ends inside a chunk header.'}
    const header = buf.subarray(pos, eol).toString('latin1')
    const [sizeText, ...exts] = header.split(';')
    const size = Number.parseInt(sizeText ?? '', 16)
    if (!/^[0-9a-fA-F]+$/.test(sizeText ?? '') || !Number.isSafeInteger(size)) return {ok: false, message: `Invalid chunk header '${header.slice(0, 80)}'.`}
    const start = eol + 2
    if (start + size > buf.length) return {ok: false, message: 'The aws-chunked body is shorter than its chunk sizes.'}
    const data = buf.subarray(start, start + size)
    if (opts.signer) {
      const given = exts.find((e) => e.startsWith('chunk-signature='))?.slice('chunk-signature='.length)
      const expected = await opts.signer.chunk(previous, data)
      if (given !== expected) return {ok: false, message: 'The chunk signature we calculated does not match the signature you provided.'}
      previous = expected
    }
    if (size === 0) return finish(buf, start, previous, opts.signer, parts)
    parts.push(data)
    if (!buf.subarray(start + size, start + size + 2).equals(CRLF)) return {ok: false, message: 'A chunk is not followed by CRLF.'}
    pos = start + size + 2
  }
}

async function finish(buf: Buffer, pos: number, previous: string, signer: ChunkSigner | undefined, parts: Buffer[]): Promise<Decoded> {
  const trailers: Record<string, string> = {}
  let signable = ''
  let trailerSignature: string | undefined
  for (const line of buf.subarray(pos).toString('latin1').split('\r\n')) {
    if (line === '') continue
    const colon = line.indexOf(':')
    if (colon <= 0) return {ok: false, message: `Invalid trailer line '${line.slice(0, 80)}'.`}
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (name === 'x-amz-trailer-signature') trailerSignature = value
    else {
      trailers[name] = value
      signable += `${name}:${value}\n`
    }
  }
  if (signer && trailerSignature !== undefined && trailerSignature !== (await signer.trailer(previous, signable))) {
    return {ok: false, message: 'The trailer signature we calculated does not match the signature you provided.'}
  }
  return {ok: true, body: Buffer.concat(parts), trailers}
}
