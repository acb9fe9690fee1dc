// Conditional writes (PutObject with If-Match / If-None-Match), as S3 answers
// them: `If-None-Match: *` writes only where no object is (412 otherwise);
// `If-Match: "etag"` writes only over that version (404 where no object is,
// 412 where another is). Checked inside the commit, so two racing conditional
// PUTs cannot both win.

import type { IncomingHttpHeaders } from 'node:http';
import { headerValue, S3Errors } from '@bucket-events/s3-protocol';
import type { ObjectMeta } from '../storage/metadata.ts';
import { etagListMatches } from './get-object.ts';

/** The precondition of a PUT, or undefined when it has none. */
export function writeCondition(
  headers: IncomingHttpHeaders,
  resource: string,
): ((current: ObjectMeta | undefined) => void) | undefined {
  const ifMatch = headerValue(headers, 'if-match');
  const ifNoneMatch = headerValue(headers, 'if-none-match');
  if (ifMatch === undefined && ifNoneMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*')
    throw S3Errors.NotImplemented('If-None-Match on a write accepts only "*".');
  return (current) => {
    if (ifNoneMatch !== undefined && current) throw S3Errors.PreconditionFailed(undefined, resource);
    if (ifMatch === undefined) return;
    if (!current) throw S3Errors.NoSuchKey(undefined, resource);
    if (!etagListMatches(ifMatch, current.etag)) throw S3Errors.PreconditionFailed(undefined, resource);
  };
}
