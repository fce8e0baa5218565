// Error shapes of the two wire protocols, and the names AWS gives authentication failures in each.

import type {AuthFailure} from './sigv4.js'
import {ec2Error, queryError} from './xml.js'

export type Protocol = 'json' | 'query'

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

export function authErrorCode(protocol: Protocol, failure: AuthFailure): string {
  return protocol === 'json' ? JSON_AUTH[failure] : QUERY_AUTH[failure]
}

/** `{"__type": code, "message": ...}` with `x-amzn-ErrorType`, as AWS's JSON 1.1 services answer. */
export function jsonError(code: string, message: string, status: number, requestId: string): WireError {
  return {
    status,
    headers: {'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': requestId},
    body: JSON.stringify({__type: code, message}),
  }
}

export function xmlError(code: string, message: string, status: number, requestId: string, xmlns?: string): WireError {
  return {
    status,
    headers: {'content-type': 'text/xml', 'x-amzn-requestid': requestId},
    body: queryError(code, message, status, requestId, xmlns),
  }
}

/** An error in EC2's query dialect. */
export function ec2WireError(code: string, message: string, status: number, requestId: string): WireError {
  return {status, headers: {'content-type': 'text/xml', 'x-amzn-requestid': requestId}, body: ec2Error(code, message, requestId)}
}

export function wireError(protocol: Protocol, code: string, message: string, status: number, requestId: string, xmlns?: string): WireError {
  return protocol === 'json' ? jsonError(code, message, status, requestId) : xmlError(code, message, status, requestId, xmlns)
}
