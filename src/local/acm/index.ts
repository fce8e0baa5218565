// AWS Certificate Manager (JSON 1.1, target prefix CertificateManager): ImportCertificate (the PEM is
// read for its names and validity), RequestCertificate, DescribeCertificate, ListCertificates,
// DeleteCertificate, tags. Locally there is no DNS to validate against: a requested certificate is
// ISSUED at once, as if its DNS validation records were in place. An imported certificate past its
// NotAfter reads EXPIRED. State: `<stateDir>/acm.json`, saved before each answer.

import {randomUUID, X509Certificate} from 'node:crypto'
import {join} from 'node:path'

import {ServiceError, type JsonService, type RequestContext} from '../frontend/types.js'
import {InputReader, tagList, unknownOperation, type Input} from '../frontend/json-input.js'
import {JsonDocument} from '../store/json-file.js'
import {dict} from '../store/dict.js'

interface StoredCertificate {
  arn: string
  type: 'IMPORTED' | 'AMAZON_ISSUED'
  domainName: string
  sans: string[]
  created: number
  issued?: number
  imported?: number
  notBefore?: number
  notAfter?: number
  issuer?: string
  subject?: string
  serial?: string
  keyAlgorithm: string
  /** Imported PEMs, kept to answer GetCertificate-like reads later. */
  pem?: string
  chain?: string
  tags: Record<string, string>
  idempotencyToken?: string
}

interface AcmState {
  certificates: Record<string, StoredCertificate>
}

const ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/

export class AcmService implements JsonService {
  readonly targetPrefix = 'CertificateManager'
  readonly signingName = 'acm'
  private readonly doc: JsonDocument<AcmState>

  constructor(stateDir: string, private readonly identity: {region: string; accountId: string}, private readonly now: () => number = Date.now) {
    this.doc = new JsonDocument<AcmState>(join(stateDir, 'acm.json'), {certificates: {}})
  }

  async handle(operation: string, input: Input, _ctx: RequestContext): Promise<unknown> {
    const r = new InputReader(input)
    switch (operation) {
      case 'ImportCertificate':
        return {CertificateArn: this.import(r)}
      case 'RequestCertificate':
        return {CertificateArn: this.request(r)}
      case 'DescribeCertificate':
        return {Certificate: this.describe(this.find(r.string('CertificateArn')))}
      case 'ListCertificates':
        return this.list(r)
      case 'DeleteCertificate':
        this.find(r.string('CertificateArn'))
        delete this.doc.value.certificates[r.string('CertificateArn')]
        this.doc.save()
        return {}
      case 'AddTagsToCertificate':
        Object.assign(this.find(r.string('CertificateArn')).tags, r.optTags())
        this.doc.save()
        return {}
      case 'ListTagsForCertificate':
        return {Tags: tagList(this.find(r.string('CertificateArn')).tags)}
      default:
        return unknownOperation('ACM', operation)
    }
  }

  private newArn(): string {
    return `arn:aws:acm:${this.identity.region}:${this.identity.accountId}:certificate/${randomUUID()}`
  }

  private find(arn: string): StoredCertificate {
    if (!ARN.test(arn)) {
      throw new ServiceError('ValidationException', `1 validation error detected: Value '${arn}' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]*:[0-9]+:[\\w+=,.@-]+(/[\\w+=,.@-]+)*`)
    }
    const cert = this.doc.value.certificates[arn]
    if (!cert) throw new ServiceError('ResourceNotFoundException', `Could not find certificate ${arn}.`)
    return cert
  }

  private import(r: InputReader): string {
    const pem = pemOf(r.string('Certificate'))
    pemOf(r.string('PrivateKey'))
    let x509: X509Certificate
    try {
      x509 = new X509Certificate(pem)
    } catch {
      throw new ServiceError('ValidationException', 'Could not validate the certificate with the certificate chain.')
    }
    const reimport = r.optString('CertificateArn')
    const previous = reimport ? this.find(reimport) : undefined
    const names = subjectAltNames(x509.subjectAltName)
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(x509.subject)?.[1]
    const domainName = cn ?? names[0] ?? ''
    const arn = previous?.arn ?? this.newArn()
    this.doc.value.certificates[arn] = {
      arn,
      type: 'IMPORTED',
      domainName,
      sans: names.length ? names : [domainName],
      created: previous?.created ?? this.now(),
      imported: this.now(),
      notBefore: Date.parse(x509.validFrom),
      notAfter: Date.parse(x509.validTo),
      issuer: x509.issuer.split('\n').join(', '),
      subject: x509.subject.split('\n').join(', '),
      serial: x509.serialNumber,
      keyAlgorithm: keyAlgorithm(x509),
      pem,
      chain: r.optString('CertificateChain') ? pemOf(r.optString('CertificateChain')!) : undefined,
      tags: Object.assign(dict<string>(), previous?.tags, r.optTags()),
    }
    this.doc.save()
    return arn
  }

  private request(r: InputReader): string {
    const domainName = r.string('DomainName')
    if (!/^(\*\.)?([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+\.?$/.test(domainName) || domainName.length > 253) {
      throw new ServiceError('InvalidDomainValidationOptionsException', `DomainName ${domainName} is not a valid domain name.`)
    }
    const token = r.optString('IdempotencyToken')
    const same = token ? Object.values(this.doc.value.certificates).find((c) => c.idempotencyToken === token && c.domainName === domainName) : undefined
    if (same) return same.arn
    const arn = this.newArn()
    const now = this.now()
    this.doc.value.certificates[arn] = {
      arn,
      type: 'AMAZON_ISSUED',
      domainName,
      sans: [domainName, ...(r.optStringList('SubjectAlternativeNames') ?? []).filter((n) => n !== domainName)],
      created: now,
      issued: now,
      notBefore: now,
      notAfter: now + 395 * 24 * 3600 * 1000,
      issuer: 'Amazon',
      subject: `CN=${domainName}`,
      keyAlgorithm: r.optString('KeyAlgorithm') ?? 'RSA_2048',
      tags: r.optTags() ?? dict<string>(),
      idempotencyToken: token,
    }
    this.doc.save()
    return arn
  }

  private status(c: StoredCertificate): string {
    return c.notAfter !== undefined && c.notAfter < this.now() ? 'EXPIRED' : 'ISSUED'
  }

  private describe(c: StoredCertificate): Record<string, unknown> {
    const status = this.status(c)
    return {
      CertificateArn: c.arn,
      DomainName: c.domainName,
      SubjectAlternativeNames: c.sans,
      DomainValidationOptions: c.type === 'AMAZON_ISSUED'
        ? c.sans.map((d) => ({DomainName: d, ValidationDomain: d, ValidationStatus: 'SUCCESS', ValidationMethod: 'DNS'}))
        : undefined,
      Serial: c.serial,
      Subject: c.subject,
      Issuer: c.issuer,
      CreatedAt: new Date(c.created),
      IssuedAt: c.issued !== undefined ? new Date(c.issued) : undefined,
      ImportedAt: c.imported !== undefined ? new Date(c.imported) : undefined,
      Status: status,
      NotBefore: c.notBefore !== undefined ? new Date(c.notBefore) : undefined,
      NotAfter: c.notAfter !== undefined ? new Date(c.notAfter) : undefined,
      KeyAlgorithm: c.keyAlgorithm,
      SignatureAlgorithm: 'SHA256WITHRSA',
      InUseBy: [],
      Type: c.type,
      RenewalEligibility: c.type === 'AMAZON_ISSUED' ? 'ELIGIBLE' : 'INELIGIBLE',
      Options: {CertificateTransparencyLoggingPreference: 'ENABLED'},
    }
  }

  private list(r: InputReader): unknown {
    const statuses = r.optStringList('CertificateStatuses')
    const all = Object.values(this.doc.value.certificates).sort((a, b) => a.created - b.created || a.arn.localeCompare(b.arn))
    const max = r.optNumber('MaxItems', 1, 1000) ?? 1000
    const start = r.optString('NextToken') ? Number(Buffer.from(r.optString('NextToken')!, 'base64url').toString()) : 0
    const matching = all.filter((c) => !statuses?.length || statuses.includes(this.status(c)))
    const page = matching.slice(start, start + max)
    return {
      CertificateSummaryList: page.map((c) => ({
        CertificateArn: c.arn, DomainName: c.domainName, SubjectAlternativeNameSummaries: c.sans, HasAdditionalSubjectAlternativeNames: false,
        Status: this.status(c), Type: c.type, KeyAlgorithm: c.keyAlgorithm, InUse: false,
        NotBefore: c.notBefore !== undefined ? new Date(c.notBefore) : undefined, NotAfter: c.notAfter !== undefined ? new Date(c.notAfter) : undefined,
        CreatedAt: new Date(c.created),
      })),
      NextToken: start + max < matching.length ? Buffer.from(String(start + max)).toString('base64url') : undefined,
    }
  }
}

/** Blobs arrive base64-encoded in JSON; a PEM is text. */
function pemOf(blob: string): string {
  const text = Buffer.from(blob, 'base64').toString('utf8')
  const pem = text.includes('-----BEGIN') ? text : blob.includes('-----BEGIN') ? blob : undefined
  if (!pem) throw new ServiceError('ValidationException', 'The certificate, private key or chain is not PEM-encoded.')
  return pem
}

function subjectAltNames(san: string | undefined): string[] {
  return (san ?? '').split(/,\s*/).filter((p) => p.startsWith('DNS:')).map((p) => p.slice(4))
}

function keyAlgorithm(x509: X509Certificate): string {
  const key = x509.publicKey
  if (key.asymmetricKeyType === 'rsa') return `RSA_${key.asymmetricKeyDetails?.modulusLength ?? 2048}`
  if (key.asymmetricKeyType === 'ec') return `EC_${key.asymmetricKeyDetails?.namedCurve ?? 'prime256v1'}`
  return String(key.asymmetricKeyType ?? 'RSA_2048').toUpperCase()
}
