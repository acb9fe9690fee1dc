// PutBucketNotificationConfiguration and GetBucketNotificationConfiguration.
// A PUT replaces the whole configuration with a new immutable version; an empty
// document removes every rule. The next mutation already uses the new rules.
import { headerValue, S3Errors } from '@bucket-events/s3-protocol';
import { readSmallBody } from '../http/body.ts';
import type { S3Context } from '../http/context.ts';
import { sendEmpty, sendXml } from '../http/respond.ts';
import {
  parseNotificationConfiguration,
  renderNotificationConfiguration,
} from '../notification/config-xml.ts';
import { requireBucket } from './buckets.ts';

export async function putBucketNotification(context: S3Context): Promise<void> {
  const { deps, bucket } = context;
  const length = headerValue(context.req.headers, 'content-length');
  const decoded = headerValue(context.req.headers, 'x-amz-decoded-content-length');
  if ((length === undefined || length === '0') && (decoded === undefined || decoded === '0')) {
    throw S3Errors.MissingContentLength();
  }
  requireBucket(context);
  const body = await readSmallBody(context, deps.limits.maxXmlBodyBytes);
  const current = deps.rules.get(bucket)?.queueConfigurations ?? [];
  const config = parseNotificationConfiguration(body, {
    region: deps.config.region,
    targets: deps.targets,
    generatedIds: new Set(current.filter((queue) => queue.idGenerated).map((queue) => queue.id)),
  });
  deps.rules.put(bucket, config, deps.store);
  sendEmpty(context.res, 200);
}

export async function getBucketNotification(context: S3Context): Promise<void> {
  requireBucket(context);
  const xml = renderNotificationConfiguration(context.deps.rules.get(context.bucket), context.deps.targets);
  sendXml(context.res, 200, xml);
}
