// The S3 error table: every error this server answers, with its HTTP status and
// AWS's message, and a typed factory so handlers throw `S3Errors.NoSuchBucket(b)`.
// Rendered to XML once, at the HTTP edge.

const TABLE = {
  AccessDenied: [403, 'Access Denied.'],
  BadDigest: [400, 'The Content-Md5 you specified did not match what we received.'],
  BucketAlreadyExists: [409, 'The requested bucket name is not available.'],
  BucketAlreadyOwnedByYou: [
    409,
    'Your previous request to create the named bucket succeeded and you already own it.',
  ],
  BucketNotEmpty: [409, 'The bucket you tried to delete is not empty'],
  EntityTooLarge: [400, 'Your proposed upload exceeds the maximum allowed object size.'],
  EntityTooSmall: [400, 'Your proposed upload is smaller than the minimum allowed object size.'],
  IncompleteBody: [
    400,
    'You did not provide the number of bytes specified by the Content-Length HTTP header.',
  ],
  InternalError: [500, 'We encountered an internal error, please try again.'],
  InvalidAccessKeyId: [403, 'The Access Key Id you provided does not exist in our records.'],
  InvalidArgument: [400, 'Invalid argument.'],
  InvalidBucketName: [400, 'The specified bucket is not valid.'],
  InvalidDigest: [400, 'The Content-Md5 you specified is not valid.'],
  InvalidPart: [
    400,
    'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part’s entity tag.',
  ],
  InvalidPartOrder: [
    400,
    'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
  ],
  InvalidRange: [416, 'The requested range is not satisfiable'],
  BadRequest: [400, 'Bad Request'],
  InvalidRequest: [400, 'Invalid Request'],
  InvalidBucketState: [409, 'The request is not valid with the current state of the bucket.'],
  ObjectLockConfigurationNotFoundError: [404, 'Object Lock configuration does not exist for this bucket'],
  InvalidPolicyDocument: [
    400,
    'The content of the form does not meet the conditions specified in the policy document.',
  ],
  InvalidTag: [400, 'The TagValue you have provided is invalid'],
  KeyTooLongError: [400, 'Your key is too long'],
  MalformedXML: [
    400,
    'The XML you provided was not well-formed or did not validate against our published schema.',
  ],
  MethodNotAllowed: [405, 'The specified method is not allowed against this resource.'],
  MissingContentLength: [411, 'You must provide the Content-Length HTTP header.'],
  MissingSecurityHeader: [400, 'Your request was missing a required header'],
  NoSuchBucket: [404, 'The specified bucket does not exist'],
  NoSuchKey: [404, 'The specified key does not exist.'],
  NoSuchTagSet: [404, 'The TagSet does not exist'],
  NoSuchVersion: [404, 'The specified version does not exist.'],
  NoSuchObjectLockConfiguration: [404, 'The specified object does not have a ObjectLock configuration'],
  IllegalVersioningConfigurationException: [
    400,
    'The Versioning element must be specified and its Status must be Enabled or Suspended.',
  ],
  NoSuchUpload: [
    404,
    'The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  ],
  NotImplemented: [501, 'A header you provided implies functionality that is not implemented'],
  PreconditionFailed: [412, 'At least one of the pre-conditions you specified did not hold'],
  RequestTimeTooSkewed: [403, 'The difference between the request time and the server’s time is too large.'],
  ServiceUnavailable: [503, 'Service is unable to handle request.'],
  SignatureDoesNotMatch: [
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  ],
  UnsupportedNotification: [
    400,
    'MinIO server does not support Topic or Cloud Function based notifications.',
  ],
  XAmzContentSHA256Mismatch: [
    400,
    "The provided 'x-amz-content-sha256' header does not match what was computed.",
  ],
  AuthorizationHeaderMalformed: [400, 'The authorization header is malformed.'],
  AuthorizationQueryParametersError: [400, 'Error parsing the X-Amz-Credential parameter.'],
  InvalidObjectName: [400, 'Object name contains unsupported characters.'],
  RequestHeaderSectionTooLarge: [400, 'Your request header section exceeds the maximum allowed size.'],
  NotModified: [304, 'Not Modified'],
} as const satisfies Record<string, readonly [number, string]>;

export type S3ErrorCode = keyof typeof TABLE;

/** An error answered to an S3 client: `<Error><Code>…</Code><Message>…</Message>…</Error>`. */
export class S3Error extends Error {
  readonly status: number;
  /** Response headers the error carries (a delete marker's `x-amz-delete-marker`, …). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: S3ErrorCode,
    message?: string,
    /** The bucket or object the error is about, rendered as `<Resource>`. */
    readonly resource?: string,
    /** Extra elements some errors carry (e.g. `Key`, `BucketName`). */
    readonly extra: Record<string, string> = {},
  ) {
    super(message ?? TABLE[code][1]);
    this.name = 'S3Error';
    this.status = TABLE[code][0];
  }
}

type Factory = (message?: string, resource?: string, extra?: Record<string, string>) => S3Error;

/** `S3Errors.NoSuchKey(undefined, '/bucket/key')`, `S3Errors.InvalidArgument('why')`. */
export const S3Errors = Object.fromEntries(
  (Object.keys(TABLE) as S3ErrorCode[]).map((code) => [
    code,
    ((message, resource, extra) => new S3Error(code, message, resource, extra)) satisfies Factory,
  ]),
) as Record<S3ErrorCode, Factory>;

/** The error with response headers added (e.g. `x-amz-delete-marker: true` on a 404). */
export function withHeaders(error: S3Error, headers: Record<string, string>): S3Error {
  Object.assign(error.headers, headers);
  return error;
}

export function isS3Error(error: unknown): error is S3Error {
  return error instanceof S3Error;
}
