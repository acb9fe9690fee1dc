// CopyObject: `x-amz-copy-source: /bucket/key` with the COPY or REPLACE
// metadata directive; the copy gets its own data file and an
// ObjectCreated:Copy record.
import { headerValue, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import type { S3Context } from '../http/context.ts';
import { isoDate, sendXml } from '../http/respond.ts';
import { noSuchBucket, requireBucket } from './buckets.ts';
import { mutationDraft } from './mutation.ts';
import { assertValidKey } from './names.ts';
import { objectHeadersFrom } from './object-headers.ts';
import { tagsFromHeader } from './tagging.ts';

export function parseCopySource(value: string): { bucket: string; key: string } {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value.split('?')[0] ?? '');
  } catch {
    throw S3Errors.InvalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  const path = decoded.startsWith('/') ? decoded.slice(1) : decoded;
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw S3Errors.InvalidArgument(
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    );
  }
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

export async function copyObject(context: S3Context): Promise<void> {
  const { deps, bucket, key, req } = context;
  requireBucket(context);
  assertValidKey(key);
  const source = parseCopySource(headerValue(req.headers, 'x-amz-copy-source') ?? '');
  if (!deps.store.metadata.getBucket(source.bucket)) throw noSuchBucket(source.bucket);
  const opened = await deps.store.openObject(source.bucket, source.key);
  if (!opened) throw S3Errors.NoSuchKey(undefined, `/${source.bucket}/${source.key}`, { Key: source.key });
  await opened.handle.close();
  const { meta: sourceMeta } = opened;

  const directive = (headerValue(req.headers, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE')
    throw S3Errors.InvalidArgument('Unknown metadata directive.');
  if (directive === 'COPY' && source.bucket === bucket && source.key === key) {
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
  const contentType = replaced?.contentType ?? sourceMeta.contentType;
  const userMetadata = replaced?.userMetadata ?? sourceMeta.userMetadata;

  const dataFile = await deps.store.copyData(sourceMeta.dataFile).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw S3Errors.NoSuchKey(undefined, `/${source.bucket}/${source.key}`, { Key: source.key });
    throw error;
  });
  const now = new Date();
  try {
    await deps.store.commitPut(
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
  );
}
