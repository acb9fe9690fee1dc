// Bucket versioning: Get/PutBucketVersioning, the `versionId` query parameter
// of object requests, and the version headers answers carry. The version rows
// themselves are the store's (storage/versions.ts).
import { childText, parseXml, renderXml, S3Errors, withHeaders } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import type { BucketRow, ObjectMeta, VersionMeta } from '../storage/metadata.ts';
import { isWellFormedVersionId } from '../storage/versions.ts';
import { requireBucket } from './buckets.ts';

export async function getBucketVersioning(context: S3Context): Promise<void> {
  const bucket = requireBucket(context);
  // A bucket never versioned answers an empty configuration, as S3 does.
  const status = bucket.versioning === '' ? {} : { Status: bucket.versioning };
  sendXml(context.res, 200, renderXml('VersioningConfiguration', status));
}

export async function putBucketVersioning(context: S3Context): Promise<void> {
  const bucket = requireBucket(context);
  const body = await readSmallBody(context, context.deps.limits.maxXmlBodyBytes);
  const root = parseXml(body).VersioningConfiguration;
  if (root === undefined) throw S3Errors.MalformedXML();
  const status = childText(root, 'Status')?.trim();
  if (status !== 'Enabled' && status !== 'Suspended')
    throw S3Errors.IllegalVersioningConfigurationException();
  if (status === 'Suspended' && bucket.objectLock)
    throw S3Errors.InvalidBucketState(
      'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.',
    );
  context.deps.store.setVersioning(context.bucket, status);
  sendEmpty(context.res, 200);
}

/** The request's `versionId` parameter: undefined when absent; 400 when empty or not a version id. */
export function requestedVersionId(context: S3Context): string | undefined {
  const versionId = context.query.get('versionId');
  if (versionId === undefined) return undefined;
  if (versionId === '') throw S3Errors.InvalidArgument('Version id cannot be the empty string');
  if (!isWellFormedVersionId(versionId)) throw S3Errors.InvalidArgument('Invalid version id specified');
  return versionId;
}

/** `x-amz-version-id` on answers about a versioned bucket's objects (S3 sends `null` for null versions). */
export function versionHeader(bucket: BucketRow, versionId: string | undefined): Record<string, string> {
  if (bucket.versioning === '' && (versionId === undefined || versionId === 'null')) return {};
  return { 'x-amz-version-id': versionId ?? 'null' };
}

/**
 * The request's object — the version its `versionId` names, or the current one — and its bucket,
 * which must exist: NoSuchBucket, NoSuchKey or NoSuchVersion otherwise.
 */
export function requireObject(context: S3Context): { bucket: BucketRow; object: ObjectMeta } {
  const bucket = requireBucket(context);
  const versionId = requestedVersionId(context);
  const store = context.deps.store;
  const meta =
    versionId === undefined
      ? store.getObject(context.bucket, context.key)
      : store.getVersion(context.bucket, context.key, versionId);
  if (!meta || ('deleteMarker' in meta && meta.deleteMarker)) throw missingObject(context, bucket, versionId);
  return { bucket, object: meta };
}

/**
 * A GET or HEAD found no object: with a version id, NoSuchVersion (or, for a delete marker,
 * 405 as S3 answers); without one, NoSuchKey, marked when a delete marker hides the key.
 */
export function missingObject(context: S3Context, bucket: BucketRow, versionId: string | undefined): Error {
  const store = context.deps.store;
  if (versionId !== undefined) {
    const version = store.getVersion(context.bucket, context.key, versionId);
    if (version?.deleteMarker) return deleteMarkerError(S3Errors.MethodNotAllowed(), version);
    return S3Errors.NoSuchVersion(undefined, context.resource, { Key: context.key, VersionId: versionId });
  }
  const error = S3Errors.NoSuchKey(undefined, context.resource, { Key: context.key });
  if (bucket.versioning === '') return error;
  const marker = store.currentDeleteMarker(context.bucket, context.key);
  return marker ? deleteMarkerError(error, marker) : error;
}

function deleteMarkerError(error: ReturnType<typeof S3Errors.NoSuchKey>, marker: VersionMeta) {
  return withHeaders(error, {
    'x-amz-delete-marker': 'true',
    'x-amz-version-id': marker.versionId,
    'last-modified': new Date(marker.lastModified).toUTCString(),
  });
}
