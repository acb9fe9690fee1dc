// AWS Signature Version 4 verification for S3 requests: the Authorization
// header form and the presigned-URL form. Canonicalisation follows AWS's S3
// rules (path decoded then re-encoded once, query sorted, headers trimmed);
// the primitives (HMAC-SHA256, SHA-256) come from node:crypto.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { S3Errors } from './errors.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Requests dated further than this from the server's clock are refused. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** Presigned URLs may live at most 7 days, as on AWS. */
export const MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 3600;

export interface RequestToVerify {
  method: string;
  /** The path exactly as received (percent-encoded), without the query. */
  rawPath: string;
  /** The query string exactly as received, without the leading `?`. */
  rawQuery: string;
  /** Lower-case header names, as node's IncomingMessage#headers has them. */
  headers: Record<string, string | string[] | undefined>;
}

export interface SigningContext {
  secretKey: string;
  /** `yyyymmddThhmmssZ` */
  amzDate: string;
  /** `<date>/<region>/s3/aws4_request` */
  scope: string;
  signature: string;
}

/** How the body is protected, as the request declared it. */
export type PayloadMode =
  | { kind: 'sha256'; sha256: string }
  | { kind: 'unsigned' }
  | { kind: 'streaming-signed'; trailer: boolean; context: SigningContext }
  | { kind: 'streaming-unsigned-trailer' };

export interface VerifiedRequest {
  accessKeyId: string;
  payload: PayloadMode;
}

export type SecretLookup = (accessKeyId: string) => string | undefined;

export interface VerifyOptions {
  region: string;
  lookupSecret: SecretLookup;
  now?: Date;
  /** Also accept a signature scoped to the empty region, as MinIO's admin client signs (admin paths only). */
  acceptEmptyRegion?: boolean;
}

/**
 * Verifies a request signed in the Authorization header or in the query
 * (presigned). Throws the S3 error a client expects; anonymous requests are refused.
 */
export function verifyRequest(request: RequestToVerify, options: VerifyOptions): VerifiedRequest {
  const authorization = headerValue(request.headers, 'authorization');
  const query = parseQuery(request.rawQuery);
  if (authorization !== undefined) return verifyHeaderAuth(request, authorization, query, options);
  if (query.some(([key]) => key === 'X-Amz-Signature')) return verifyPresigned(request, query, options);
  throw S3Errors.AccessDenied('Access Denied.');
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  scope: string;
}

function parseCredential(value: string, options: VerifyOptions, inQuery: boolean): Credential {
  const malformed = inQuery
    ? S3Errors.AuthorizationQueryParametersError
    : S3Errors.AuthorizationHeaderMalformed;
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') throw malformed();
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  if (!/^\d{8}$/.test(date)) throw malformed();
  if (service !== 's3')
    throw malformed(
      `The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "s3".`,
    );
  // MinIO's admin client (madmin: `mc admin …`) signs with an empty region.
  if (region !== options.region && !(region === '' && options.acceptEmptyRegion)) {
    throw malformed(
      `The authorization header is malformed; the region '${region}' is wrong; expecting '${options.region}'`,
    );
  }
  return { accessKeyId, date, region, service, scope: `${date}/${region}/${service}/aws4_request` };
}

function verifyHeaderAuth(
  request: RequestToVerify,
  authorization: string,
  query: [string, string][],
  options: VerifyOptions,
): VerifiedRequest {
  if (!authorization.startsWith(`${ALGORITHM} `)) {
    throw S3Errors.AuthorizationHeaderMalformed('Only AWS4-HMAC-SHA256 signatures are supported.');
  }
  const fields = new Map<string, string>();
  for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credentialValue = fields.get('Credential');
  const signedHeadersValue = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credentialValue || !signedHeadersValue || !signature) throw S3Errors.AuthorizationHeaderMalformed();
  const credential = parseCredential(credentialValue, options, false);
  const secretKey = lookup(credential.accessKeyId, options);

  const amzDate =
    headerValue(request.headers, 'x-amz-date') ?? fromHttpDate(headerValue(request.headers, 'date'));
  if (!amzDate) throw S3Errors.AccessDenied('AWS authentication requires a valid Date or x-amz-date header');
  if (!amzDate.startsWith(credential.date)) throw S3Errors.SignatureDoesNotMatch();
  checkSkew(amzDate, options.now ?? new Date());

  const contentSha256 = headerValue(request.headers, 'x-amz-content-sha256');
  if (contentSha256 === undefined)
    throw S3Errors.InvalidRequest('Missing required header for this request: x-amz-content-sha256');
  const signedHeaders = signedHeadersValue.split(';');
  if (!signedHeaders.includes('host'))
    throw S3Errors.AuthorizationHeaderMalformed('SignedHeaders must include host.');

  const context: SigningContext = { secretKey, amzDate, scope: credential.scope, signature };
  checkSignature(context, request, query, signedHeaders, contentSha256);

  return { accessKeyId: credential.accessKeyId, payload: payloadMode(contentSha256, context) };
}

function verifyPresigned(
  request: RequestToVerify,
  query: [string, string][],
  options: VerifyOptions,
): VerifiedRequest {
  const params = new Map(query);
  const algorithm = params.get('X-Amz-Algorithm');
  const credentialValue = params.get('X-Amz-Credential');
  const amzDate = params.get('X-Amz-Date');
  const expires = params.get('X-Amz-Expires');
  const signedHeadersValue = params.get('X-Amz-SignedHeaders');
  const signature = params.get('X-Amz-Signature') ?? '';
  if (algorithm !== ALGORITHM)
    throw S3Errors.AuthorizationQueryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  if (!credentialValue || !amzDate || !expires || !signedHeadersValue) {
    throw S3Errors.AuthorizationQueryParametersError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  const credential = parseCredential(credentialValue, options, true);
  const secretKey = lookup(credential.accessKeyId, options);
  const expirySeconds = Number(expires);
  if (!Number.isInteger(expirySeconds) || expirySeconds < 0) {
    throw S3Errors.AuthorizationQueryParametersError('X-Amz-Expires should be a number');
  }
  if (expirySeconds > MAX_PRESIGNED_EXPIRY_SECONDS) {
    throw S3Errors.AuthorizationQueryParametersError(
      'X-Amz-Expires must be less than a week (in seconds) that is 604800',
    );
  }
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || !amzDate.startsWith(credential.date))
    throw S3Errors.AuthorizationQueryParametersError();
  const now = options.now ?? new Date();
  if (signedAt.getTime() - now.getTime() > MAX_CLOCK_SKEW_MS)
    throw S3Errors.AccessDenied('Request is not valid yet');
  if (now.getTime() > signedAt.getTime() + expirySeconds * 1000)
    throw S3Errors.AccessDenied('Request has expired');

  const signedHeaders = signedHeadersValue.split(';');
  const unsignedQuery = query.filter(([key]) => key !== 'X-Amz-Signature');
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD;
  checkSignature(
    { secretKey, amzDate, scope: credential.scope, signature },
    request,
    unsignedQuery,
    signedHeaders,
    payloadHash,
  );
  return {
    accessKeyId: credential.accessKeyId,
    payload:
      payloadHash === UNSIGNED_PAYLOAD ? { kind: 'unsigned' } : { kind: 'sha256', sha256: payloadHash },
  };
}

function payloadMode(contentSha256: string, context: SigningContext): PayloadMode {
  switch (contentSha256) {
    case UNSIGNED_PAYLOAD:
      return { kind: 'unsigned' };
    case STREAMING_SIGNED:
      return { kind: 'streaming-signed', trailer: false, context };
    case STREAMING_SIGNED_TRAILER:
      return { kind: 'streaming-signed', trailer: true, context };
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: 'streaming-unsigned-trailer' };
    default:
      if (!/^[0-9a-f]{64}$/.test(contentSha256)) {
        throw S3Errors.InvalidArgument(
          'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-* or a hex SHA-256.',
        );
      }
      return { kind: 'sha256', sha256: contentSha256 };
  }
}

function lookup(accessKeyId: string, options: VerifyOptions): string {
  const secret = options.lookupSecret(accessKeyId);
  if (secret === undefined) throw S3Errors.InvalidAccessKeyId();
  return secret;
}

function checkSkew(amzDate: string, now: Date) {
  const at = parseAmzDate(amzDate);
  if (at === undefined)
    throw S3Errors.AccessDenied('AWS authentication requires a valid Date or x-amz-date header');
  if (Math.abs(at.getTime() - now.getTime()) > MAX_CLOCK_SKEW_MS) throw S3Errors.RequestTimeTooSkewed();
}

// --- canonicalisation -------------------------------------------------------

/**
 * How the values of a repeated query parameter are ordered in the canonical query: `sorted`, as
 * the AWS documentation, the AWS SDKs and botocore sign; or `given`, as minio-go (and so `mc`)
 * signs and MinIO verifies: keys sorted, each key's values in the order they were sent (Go's
 * url.Values.Encode). They differ only when a parameter repeats (`mc watch`: `events=…&events=…`).
 */
export type QueryValueOrder = 'sorted' | 'given';

/**
 * Throws SignatureDoesNotMatch unless the request was signed as given: with the AWS order of query
 * values, or — when a parameter repeats — minio-go's.
 */
function checkSignature(
  signing: SigningContext,
  request: RequestToVerify,
  query: [string, string][],
  signedHeaders: string[],
  payloadHash: string,
): void {
  const signedAs = (order: QueryValueOrder) =>
    sign(
      signing.secretKey,
      signing.amzDate,
      signing.scope,
      canonicalRequest(
        request.method,
        request.rawPath,
        query,
        request.headers,
        signedHeaders,
        payloadHash,
        order,
      ),
    );
  if (sameSignature(signedAs('sorted'), signing.signature)) return;
  const repeats = new Set(query.map(([key]) => key)).size < query.length;
  if (repeats && sameSignature(signedAs('given'), signing.signature)) return;
  throw S3Errors.SignatureDoesNotMatch();
}

/** The canonical request string of SigV4 (exported for tests and for chunk signing). */
export function canonicalRequest(
  method: string,
  rawPath: string,
  query: [string, string][],
  headers: Record<string, string | string[] | undefined>,
  signedHeaders: string[],
  payloadHash: string,
  valueOrder: QueryValueOrder = 'sorted',
): string {
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(headers[name])}\n`)
    .join('');
  return [
    method,
    canonicalUri(rawPath),
    canonicalQuery(query, valueOrder),
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

/** Decodes each path segment once and re-encodes it the AWS way ('/' kept). */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return rawPath
    .split('/')
    .map((segment) => awsUriEncode(safeDecode(segment)))
    .join('/');
}

/** Splits a raw query string into decoded pairs (`+` read as a space, as Go's url.ParseQuery does). */
export function parseQuery(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? '' : part.slice(eq + 1);
      return [safeDecode(key.replaceAll('+', ' ')), safeDecode(value.replaceAll('+', ' '))];
    });
}

function canonicalQuery(query: [string, string][], valueOrder: QueryValueOrder): string {
  // Array.prototype.sort is stable: with `given`, one key's values keep the order they came in.
  return query
    .map(([key, value]) => [awsUriEncode(key), awsUriEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) =>
      ak < bk ? -1 : ak > bk ? 1 : valueOrder === 'given' ? 0 : av < bv ? -1 : av > bv ? 1 : 0,
    )
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

/** RFC 3986 encoding as AWS specifies: everything but A-Z a-z 0-9 - _ . ~ is %XX (upper case). */
export function awsUriEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// --- signing ----------------------------------------------------------------

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Derived keys by secret and scope: a scope lives a day, so four HMACs per request are wasted work. */
const signingKeys = new Map<string, Buffer>();
const SIGNING_KEYS_KEPT = 256;

/** HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"). */
export function signingKey(secretKey: string, scope: string): Buffer {
  const cacheKey = `${scope}\n${secretKey}`;
  const cached = signingKeys.get(cacheKey);
  if (cached) return cached;
  const [date, region, service] = scope.split('/') as [string, string, string];
  const key = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), service), 'aws4_request');
  if (signingKeys.size >= SIGNING_KEYS_KEPT) signingKeys.clear();
  signingKeys.set(cacheKey, key);
  return key;
}

export function signString(secretKey: string, scope: string, stringToSign: string): string {
  return createHmac('sha256', signingKey(secretKey, scope)).update(stringToSign).digest('hex');
}

function sign(secretKey: string, amzDate: string, scope: string, canonical: string): string {
  return signString(secretKey, scope, `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`);
}

export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

// --- helpers ----------------------------------------------------------------

export function headerValue(
  headers: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function fromHttpDate(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
