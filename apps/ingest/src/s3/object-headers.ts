// Which request headers an object keeps (x-amz-meta-* and the standard
// representation headers) and how they come back on GET and HEAD.
import type { IncomingHttpHeaders } from 'node:http';
import { S3Errors } from '@bucket-events/s3-protocol';
import { httpDate } from '../http/respond.ts';
import type { ObjectMeta } from '../storage/metadata.ts';

const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];
const MAX_USER_METADATA_BYTES = 2048;

export interface ObjectHeaders {
  contentType: string;
  headers: Record<string, string>;
  userMetadata: Record<string, string>;
}

export function objectHeadersFrom(headers: IncomingHttpHeaders): ObjectHeaders {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = headers[name];
    if (typeof value === 'string') stored[name] = value;
  }
  // aws-chunked is a transfer detail, not the object's encoding.
  if (stored['content-encoding']) {
    const encodings = stored['content-encoding']
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== 'aws-chunked');
    if (encodings.length === 0) delete stored['content-encoding'];
    else stored['content-encoding'] = encodings.join(', ');
  }
  const userMetadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith('x-amz-meta-') || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(',') : value;
    userMetadata[name] = text;
    metadataBytes += name.length - 'x-amz-meta-'.length + text.length;
  }
  if (metadataBytes > MAX_USER_METADATA_BYTES) {
    throw S3Errors.InvalidArgument('Your metadata headers exceed the maximum allowed metadata size.');
  }
  const contentType =
    typeof headers['content-type'] === 'string' ? headers['content-type'] : 'application/octet-stream';
  return { contentType, headers: stored, userMetadata };
}

/** Headers of a GET or HEAD answer for the object. */
export function objectResponseHeaders(
  meta: ObjectMeta,
  withChecksums: boolean,
): Record<string, string | number> {
  const out: Record<string, string | number> = {
    etag: `"${meta.etag}"`,
    'last-modified': httpDate(meta.lastModified),
    'content-type': meta.contentType,
    'accept-ranges': 'bytes',
    ...meta.headers,
    ...meta.userMetadata,
  };
  // As S3: how many tags the object has (GetObjectTagging lists them).
  const tagCount = Object.keys(meta.tags ?? {}).length;
  if (tagCount > 0) out['x-amz-tagging-count'] = tagCount;
  if (withChecksums) {
    for (const [algorithm, value] of Object.entries(meta.checksums)) {
      out[`x-amz-checksum-${algorithm}`] = value;
      // A multipart upload's COMPOSITE checksum ends in `-<parts>`; any other is of the whole object.
      out['x-amz-checksum-type'] = /-\d+$/.test(value) ? 'COMPOSITE' : 'FULL_OBJECT';
    }
  }
  return out;
}
