// Object and bucket tagging: Get/Put/DeleteObjectTagging, the `x-amz-tagging`
// header of PutObject, CopyObject and CreateMultipartUpload, and
// Get/Put/DeleteBucketTagging, with S3's limits (10 tags an object, 50 a bucket,
// keys of 1–128 and values of 0–256 characters, keys unique). An object's
// tagging change is a mutation of its own, committed with its record:
// `s3:ObjectCreated:PutTagging` and `s3:ObjectCreated:DeleteTagging`, as MinIO
// names them; bucket tags send no event, as in S3 and MinIO.
import { children, childText, headerValue, parseXml, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import { requireBucket } from './buckets.ts';
import { commitObjectChange } from './mutation.ts';
import { requestedVersionId, requireObject, versionHeader } from './versioning.ts';

const MAX_OBJECT_TAGS = 10;
const MAX_BUCKET_TAGS = 50;

/** Checks S3's limits; the tags in the order given. */
export function validTags(pairs: [string, string][], most = MAX_OBJECT_TAGS): Record<string, string> {
  if (pairs.length > most)
    throw most === MAX_OBJECT_TAGS
      ? S3Errors.BadRequest('Object tags cannot be greater than 10')
      : S3Errors.InvalidTag('Bucket tags cannot be greater than 50');
  const tags: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (key.length < 1 || key.length > 128)
      throw S3Errors.InvalidTag('The TagKey you have provided is invalid');
    if (value.length > 256) throw S3Errors.InvalidTag('The TagValue you have provided is invalid');
    if (Object.hasOwn(tags, key)) throw S3Errors.InvalidTag('Cannot provide multiple Tags with the same key');
    tags[key] = value;
  }
  return tags;
}

/** The `x-amz-tagging` header (`k1=v1&k2=v2`, URL-encoded), or undefined without one. */
export function tagsFromHeader(context: S3Context): Record<string, string> | undefined {
  const header = headerValue(context.req.headers, 'x-amz-tagging');
  if (header === undefined) return undefined;
  return validTags([...new URLSearchParams(header)]);
}

export async function getObjectTagging(context: S3Context): Promise<void> {
  const { bucket, object: meta } = requireObject(context);
  sendXml(context.res, 200, taggingXml(meta.tags ?? {}), versionHeader(bucket, meta.versionId));
}

/** The `<Tagging><TagSet><Tag>…` body of a PUT ?tagging. */
async function taggingBody(context: S3Context): Promise<[string, string][]> {
  const root = parseXml(await readSmallBody(context, context.deps.limits.maxXmlBodyBytes)).Tagging;
  if (root === undefined) throw S3Errors.MalformedXML();
  const tagSet = children(root, 'TagSet')[0];
  return children(tagSet, 'Tag').map(
    (tag) => [childText(tag, 'Key') ?? '', childText(tag, 'Value') ?? ''] as [string, string],
  );
}

function taggingXml(tags: Record<string, string>): string {
  const tagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return renderXml('Tagging', { TagSet: tagSet.length === 0 ? '' : { Tag: tagSet } });
}

export async function getBucketTagging(context: S3Context): Promise<void> {
  requireBucket(context);
  const tags = context.deps.store.bucketTags(context.bucket);
  if (!tags) throw S3Errors.NoSuchTagSet(undefined, context.resource, { BucketName: context.bucket });
  sendXml(context.res, 200, taggingXml(tags));
}

export async function putBucketTagging(context: S3Context): Promise<void> {
  requireBucket(context);
  context.deps.store.setBucketTags(context.bucket, validTags(await taggingBody(context), MAX_BUCKET_TAGS));
  // 200, as MinIO answers (AWS documents 204): the MinIO SDKs accept only 200 here, the AWS SDKs either.
  sendEmpty(context.res, 200);
}

export async function deleteBucketTagging(context: S3Context): Promise<void> {
  requireBucket(context);
  context.deps.store.setBucketTags(context.bucket, {});
  sendEmpty(context.res, 204);
}

export async function putObjectTagging(context: S3Context): Promise<void> {
  const { bucket, object: meta } = requireObject(context);
  commitTags(context, validTags(await taggingBody(context)), 's3:ObjectCreated:PutTagging');
  sendEmpty(context.res, 200, versionHeader(bucket, meta.versionId));
}

export async function deleteObjectTagging(context: S3Context): Promise<void> {
  const { bucket, object: meta } = requireObject(context);
  commitTags(context, {}, 's3:ObjectCreated:DeleteTagging');
  sendEmpty(context.res, 204, versionHeader(bucket, meta.versionId));
}

function commitTags(
  context: S3Context,
  tags: Record<string, string>,
  eventName: 's3:ObjectCreated:PutTagging' | 's3:ObjectCreated:DeleteTagging',
): void {
  commitObjectChange(context, requestedVersionId(context), 'tags', () => tags, eventName);
}
