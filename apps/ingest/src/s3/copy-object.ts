// CopyObject: `x-amz-copy-source: /bucket/key` with the COPY or REPLACE
// metadata directive; the copy gets its own data file and an
// ObjectCreated:Copy record.
import { headerValue, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import type { S3Context } from '../http/context.ts';
import { isoDate, sendXml } from '../http/respond.ts';
import { isWellFormedVersionId } from '../storage/versions.ts';
import { noSuchBucket, requireBucket } from './buckets.ts';
import { mutationDraft } from './mutation.ts';
import { assertValidKey } from './names.ts';
import { objectHeadersFrom } from './object-headers.ts';
import { lockForNewVersion } from './object-lock.ts';
import { tagsFromHeader } from './tagging.ts';
import { versionHeader } from './versioning.ts';

export interface CopySource {
  bucket: string;
  key: string;
  /** `?versionId=` after the key: copy that version. */
  versionId?: string;
}

export function parseCopySource(value: string): CopySource {
  let decoded: string;
  const [path = '', query = ''] = value.split('?', 2);
  const versionId = new URLSearchParams(query).get('versionId') ?? undefined;
  if (versionId !== undefined && !isWellFormedVersionId(versionId))
    throw S3Errors.InvalidArgument('Invalid version id specified');
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw S3Errors.InvalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  const sourcePath = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = sourcePath.indexOf('/');
  if (slash <= 0 || slash === sourcePath.length - 1) {
    throw S3Errors.InvalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  return {
    bucket: sourcePath.slice(0, slash),
    key: sourcePath.slice(slash + 1),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}

/** Opens the request's `x-amz-copy-source` (a version of it, if named): NoSuchBucket, NoSuchKey or NoSuchVersion otherwise. */
export async function openCopySource(context: S3Context) {
  const { deps } = context;
  const source = parseCopySource(headerValue(context.req.headers, 'x-amz-copy-source') ?? '');
  if (!deps.store.getBucket(source.bucket)) throw noSuchBucket(source.bucket);
  const opened = await deps.store.openObject(source.bucket, source.key, source.versionId);
  const resource = `/${source.bucket}/${source.key}`;
  if (!opened && source.versionId !== undefined) {
    const marker = deps.store.getVersion(source.bucket, source.key, source.versionId)?.deleteMarker;
    // S3 refuses to copy from a delete marker with 400 InvalidRequest; a missing version is 404.
    if (marker)
      throw S3Errors.InvalidRequest(
        'The source of a copy request may not specifically refer to a delete marker by version id.',
      );
    throw S3Errors.NoSuchVersion(undefined, resource, { Key: source.key, VersionId: source.versionId });
  }
  if (!opened) throw S3Errors.NoSuchKey(undefined, resource, { Key: source.key });
  return { source, opened };
}

export async function copyObject(context: S3Context): Promise<void> {
  const { deps, bucket, key, req } = context;
  const bucketRow = requireBucket(context);
  assertValidKey(key);
  const { source, opened } = await openCopySource(context);
  await opened.handle.close();
  const { meta: sourceMeta } = opened;

  const directive = (headerValue(req.headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw S3Errors.InvalidArgument('Unknown metadata directive.');
  if (
    directive === 'COPY' &&
    source.bucket === bucket &&
    source.key === key &&
    source.versionId === undefined
  ) {
    throw S3Errors.InvalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const replaced = directive === 'REPLACE' ? objectHeadersFrom(req.headers) : undefined;
  // x-amz-tagging-directive: COPY (the default) keeps the source's tags, REPLACE takes x-amz-tagging.
  const tagDirective = (headerValue(req.headers, 'x-amz-tagging-directive') ?? 'COPY').toUpperCase();
  if (tagDirective !== 'COPY' && tagDirective !== 'REPLACE')
    throw S3Errors.InvalidArgument('Unknown tagging directive.');
  const tags = tagDirective === 'REPLACE' ? (tagsFromHeader(context) ?? {}) : sourceMeta.tags;
  // The copy is a new version: its own lock (headers or the bucket's default), never the source's.
  const lock = lockForNewVersion(context, bucketRow, new Date());
  const contentType = replaced?.contentType ?? sourceMeta.contentType;
  const userMetadata = replaced?.userMetadata ?? sourceMeta.userMetadata;

  const dataFile = await deps.store.copyData(sourceMeta.dataFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw S3Errors.NoSuchKey(undefined, `/${source.bucket}/${source.key}`, { Key: source.key });
    throw error;
  });
  const now = new Date();
  let versionId: string;
  try {
    versionId = await deps.store.commitPut(
      {
        bucket,
        key,
        size: sourceMeta.size,
        etag: sourceMeta.etag,
        contentType,
        headers: replaced?.headers ?? sourceMeta.headers,
        userMetadata,
        checksums: sourceMeta.checksums,
        lastModified: now.toISOString(),
        dataFile,
        tags,
        lock,
      },
      mutationDraft(
        context,
        's3:ObjectCreated:Copy',
        { key, size: sourceMeta.size, eTag: sourceMeta.etag, contentType, userMetadata },
        now,
      ),
    );
  } catch (error) {
    await deps.store.discard(dataFile);
    throw error;
  }
  sendXml(
    context.res,
    200,
    renderXml('CopyObjectResult', { LastModified: isoDate(now.toISOString()), ETag: `"${sourceMeta.etag}"` }),
    {
      ...versionHeader(bucketRow, versionId),
      ...(sourceMeta.versionId !== undefined && sourceMeta.versionId !== 'null'
        ? { 'x-amz-copy-source-version-id': sourceMeta.versionId }
        : {}),
    },
  );
}
