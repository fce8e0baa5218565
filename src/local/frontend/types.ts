// Contracts between the frontend (protocol handling, SigV4, error shapes) and the services behind it.
// A service never sees HTTP: it gets a decoded input and returns a result object, or throws ServiceError.

export interface RequestContext {
  requestId: string
  region: string
  accountId: string
  /** Access key that signed the request. */
  accessKeyId: string
  /** The session token that came with a temporary access key (AssumeRole). */
  sessionToken?: string
}

/** An error in the service's own vocabulary; the frontend renders it in the protocol's error shape. */
export class ServiceError extends Error {
  constructor(
    /** AWS's exception name, e.g. ClusterNotFoundException, ParameterNotFound, ValidationError. */
    readonly code: string,
    message: string,
    /** HTTP status; AWS uses 400 for client errors, 403 for auth, 500 for server faults. */
    readonly status = 400,
  ) {
    super(message)
    this.name = code
  }
}

/** A JSON 1.1 service addressed by `X-Amz-Target: <targetPrefix>.<Operation>`. */
export interface JsonService {
  /** e.g. 'AmazonEC2ContainerServiceV20141113', 'AmazonSSM', 'secretsmanager', 'Logs_20140328', 'TrentService'. */
  targetPrefix: string
  /** SigV4 signing name, e.g. 'ecs', 'ssm', 'secretsmanager', 'logs', 'kms'. */
  signingName: string
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>
}

/**
 * A query-protocol service (form-encoded in, XML out): STS, CloudFormation, Elastic Load Balancing v2.
 * `params` is the flat form (e.g. `Parameters.member.1.ParameterKey`); the result object is serialized
 * to `<{Action}Response><{Action}Result>…` with arrays as `<member>` lists.
 */
export interface QueryService {
  /** SigV4 signing name, e.g. 'sts', 'cloudformation', 'elasticloadbalancing'. */
  signingName: string
  /** API version, e.g. '2011-06-15' for STS, '2010-05-15' for CloudFormation. */
  version: string
  /** XML namespace of responses, e.g. 'https://sts.amazonaws.com/doc/2011-06-15/'. */
  xmlns: string
  handle(action: string, params: Record<string, string>, ctx: RequestContext): Promise<unknown>
  /**
   * `'ec2'`: EC2's own query dialect. Responses are `<{Action}Response xmlns><requestId>…` with the result's
   * elements directly inside (no Result wrapper, no ResponseMetadata) and arrays as `<item>` lists; errors
   * are `<Response><Errors><Error>…</Error></Errors><RequestID>…`. Absent: the ordinary query protocol.
   */
  dialect?: 'ec2'
}

/** A request to a REST service, as received (after SigV4 verification and aws-chunked decoding). */
export interface RestRequest {
  method: string
  /** Path without the query string, still percent-encoded as received. */
  rawPath: string
  /** Query parameters, decoded; a key without a value (`?delete`) maps to ''. */
  query: Record<string, string>
  /** Lower-cased, as Node gives them. */
  headers: Record<string, string | string[] | undefined>
  body: Uint8Array
}

export interface RestResponse {
  status: number
  headers?: Record<string, string>
  body?: Uint8Array | string
}

/**
 * A REST service (S3): addressed by the SigV4 credential scope's service name when a request carries
 * neither X-Amz-Target nor Action. A thrown ServiceError becomes `<Error><Code>…</Code><Message>…`.
 */
export interface RestService {
  /** SigV4 signing name, e.g. 's3'. */
  signingName: string
  /** Largest request body accepted, in bytes (default: the frontend's limit). */
  bodyLimit?: number
  handle(req: RestRequest, ctx: RequestContext): Promise<RestResponse>
}
