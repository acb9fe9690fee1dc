// Public surface of @bucket-events/s3-protocol.
export { AwsChunkedDecoder, type AwsChunkedOptions } from './aws-chunked.ts';
export { isS3Error, S3Error, type S3ErrorCode, S3Errors, withHeaders } from './errors.ts';
export { type PostPolicyCheck, type VerifiedPostPolicy, verifyPostPolicy } from './post-policy.ts';
export {
  awsUriEncode,
  canonicalRequest,
  canonicalUri,
  EMPTY_SHA256,
  headerValue,
  type PayloadMode,
  parseQuery,
  type RequestToVerify,
  type SecretLookup,
  type SigningContext,
  STREAMING_SIGNED,
  STREAMING_SIGNED_TRAILER,
  STREAMING_UNSIGNED_TRAILER,
  sha256Hex,
  signingKey,
  UNSIGNED_PAYLOAD,
  type VerifiedRequest,
  type VerifyOptions,
  verifyRequest,
} from './sigv4.ts';
export {
  child,
  childNames,
  children,
  childText,
  parseXml,
  renderXml,
  renderXmlOrdered,
  S3_NAMESPACE,
  text,
  type XmlContent,
  type XmlNode,
  type XmlValue,
} from './xml.ts';
