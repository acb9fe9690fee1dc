// Bucket operations: CreateBucket, HeadBucket, DeleteBucket, ListBuckets,
// GetBucketLocation. Each is small enough that one file holds them.

import { childText, parseXml, renderXml, S3Errors } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { isoDate, sendEmpty, sendXml } from '../http/respond.ts';
import { assertValidBucketName } from './names.ts';

export async function createBucket(context: S3Context): Promise<void> {
  const { bucket, deps } = context;
  assertValidBucketName(bucket);
  // Object lock is chosen when the bucket is made (s3/object-lock.ts).
  const objectLock =
    String(context.req.headers['x-amz-bucket-object-lock-enabled'] ?? '').toLowerCase() === 'true';
  // A CreateBucketConfiguration body may name a location; only ours is accepted.
  const length = Number(context.req.headers['content-length'] ?? 0);
  if (length > 0) {
    const body = await readSmallBody(context, deps.limits.maxXmlBodyBytes);
    const location = childText(parseXml(body).CreateBucketConfiguration, 'LocationConstraint');
    if (location && location !== deps.config.region) {
      throw S3Errors.InvalidArgument(`The specified location-constraint is not valid: ${location}`);
    }
  }
  if (!deps.store.createBucket(bucket, new Date().toISOString(), { objectLock })) {
    throw S3Errors.BucketAlreadyOwnedByYou(undefined, `/${bucket}`, { BucketName: bucket });
  }
  sendEmpty(context.res, 200, { location: `/${bucket}` });
}

export async function headBucket(context: S3Context): Promise<void> {
  requireBucket(context);
  sendEmpty(context.res, 200, { 'x-amz-bucket-region': context.deps.config.region });
}

export async function deleteBucket(context: S3Context): Promise<void> {
  const outcome = context.deps.store.deleteBucket(context.bucket);
  if (outcome === 'missing') throw noSuchBucket(context.bucket);
  if (outcome === 'not-empty')
    throw S3Errors.BucketNotEmpty(undefined, `/${context.bucket}`, { BucketName: context.bucket });
  context.deps.rules.forget(context.bucket);
  sendEmpty(context.res, 204);
}

export async function listBuckets(context: S3Context): Promise<void> {
  const buckets = context.deps.store.listBuckets();
  const xml = renderXml('ListAllMyBucketsResult', {
    Owner: { ID: context.principal, DisplayName: context.principal },
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: isoDate(b.createdAt) })) },
  });
  sendXml(context.res, 200, xml);
}

export async function getBucketLocation(context: S3Context): Promise<void> {
  requireBucket(context);
  const region = context.deps.config.region;
  // us-east-1 is reported as an empty constraint, as AWS does.
  sendXml(
    context.res,
    200,
    renderXml('LocationConstraint', { '#text': region === 'us-east-1' ? '' : region }),
  );
}

export function noSuchBucket(bucket: string) {
  return S3Errors.NoSuchBucket(undefined, `/${bucket}`, { BucketName: bucket });
}

export function requireBucket(context: S3Context) {
  const bucket = context.deps.store.getBucket(context.bucket);
  if (!bucket) throw noSuchBucket(context.bucket);
  return bucket;
}
