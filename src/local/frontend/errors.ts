// Error shapes of the wire protocols (JSON, query, REST-XML as S3 answers), and the names AWS gives authentication failures in each.

import type {AuthFailure} from './sigv4.js'
import {ec2Error, escapeXml, queryError} from './xml.js'

export type Protocol = 'json' | 'query' | 'rest'

export interface WireError {
  status: number
  headers: Record<string, string>
  body: string
}

const JSON_AUTH: Record<AuthFailure, string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  UnknownAccessKey: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  SignatureExpired: 'InvalidSignatureException',
}

const QUERY_AUTH: Record<AuthFailure, string> = {
  MissingAuthenticationToken: 'MissingAuthenticationToken',
  IncompleteSignature: 'IncompleteSignature',
  UnknownAccessKey: 'InvalidClientTokenId',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  SignatureExpired: 'SignatureDoesNotMatch',
}

const REST_AUTH: Record<AuthFailure, string> = {
  MissingAuthenticationToken: 'AccessDenied',
  IncompleteSignature: 'AuthorizationHeaderMalformed',
  UnknownAccessKey: 'InvalidAccessKeyId',
  SignatureDoesNotMatch: 'SignatureDoesNotMatch',
  SignatureExpired: 'RequestTimeTooSkewed',
}

export function authErrorCode(protocol: Protocol, failure: AuthFailure): string {
  return protocol === 'json' ? JSON_AUTH[failure] : protocol === 'rest' ? REST_AUTH[failure] : QUERY_AUTH[failure]
}

/** `{"__type": code, "message": ...}` with `x-amzn-ErrorType`, as AWS's JSON 1.1 services answer; `fields`
 * are an error's own members (DynamoDB's `CancellationReasons`, a failed condition's `Item`). */
export function jsonError(code: string, message: string, status: number, requestId: string, fields?: Record<string, unknown>): WireError {
  return {
    status,
    headers: {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId},
    body: JSON.stringify({...fields, __type: code, message}),
  }
}

export function xmlError(code: string, message: string, status: number, requestId: string, xmlns?: string): WireError {
  return {
    status,
    headers: {'content-type': 'text/xml', 'x-amzn-requestid': requestId},
    body: queryError(code, message, status, requestId, xmlns),
  }
}

/** S3's shape: a bare `<Error>` document, the request id also in `x-amz-request-id`. */
export function restError(code: string, message: string, status: number, requestId: string): WireError {
  return {
    status,
    headers: {'content-type': 'application/xml', 'x-amz-request-id': requestId},
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>\n`,
  }
}

/** An error in EC2's query dialect. */
export function ec2WireError(code: string, message: string, status: number, requestId: string): WireError {
  return {status, headers: {'content-type': 'text/xml', 'x-amzn-requestid': requestId}, body: ec2Error(code, message, requestId)}
}

export function wireError(protocol: Protocol, code: string, message: string, status: number, requestId: string, xmlns?: string): WireError {
  if (protocol === 'rest') return restError(code, message, status, requestId)
  return protocol === 'json' ? jsonError(code, message, status, requestId) : xmlError(code, message, status, requestId, xmlns)
}
