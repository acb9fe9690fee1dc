// Object lock against a bucket without it, through the AWS SDK: the codes S3 and
// MinIO answer there (404, 409, 400), not NotImplemented; a CreateBucket that
// asks for object lock is refused rather than made without it.
import {
  CreateBucketCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadBucketCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { s3Error, startTestIngest } from '../test/harness.ts';

describe('object lock on a bucket without it', () => {
  test('answers 404, 409 and 400 as S3 does, and refuses to create a locked bucket', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      await t.s3.send(new CreateBucketCommand({ Bucket: 'plain' }));
      await t.s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'a.txt', Body: 'a' }));
      expect(
        await s3Error(t.s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'plain' }))),
      ).toMatchObject({
        code: 'ObjectLockConfigurationNotFoundError',
        status: 404,
      });
      expect(
        await s3Error(
          t.s3.send(
            new PutObjectLockConfigurationCommand({
              Bucket: 'plain',
              ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
            }),
          ),
        ),
      ).toMatchObject({ code: 'InvalidBucketState', status: 409 });
      const missing = {
        code: 'InvalidRequest',
        status: 400,
        message: 'Bucket is missing Object Lock Configuration',
      };
      expect(
        await s3Error(t.s3.send(new GetObjectRetentionCommand({ Bucket: 'plain', Key: 'a.txt' }))),
      ).toMatchObject(missing);
      expect(
        await s3Error(
          t.s3.send(
            new PutObjectRetentionCommand({
              Bucket: 'plain',
              Key: 'a.txt',
              Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 86_400_000) },
            }),
          ),
        ),
      ).toMatchObject(missing);
      expect(
        await s3Error(t.s3.send(new GetObjectLegalHoldCommand({ Bucket: 'plain', Key: 'a.txt' }))),
      ).toMatchObject(missing);
      expect(
        await s3Error(
          t.s3.send(
            new PutObjectLegalHoldCommand({ Bucket: 'plain', Key: 'a.txt', LegalHold: { Status: 'ON' } }),
          ),
        ),
      ).toMatchObject(missing);
      // A missing bucket is still NoSuchBucket.
      expect(
        await s3Error(t.s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'absent' }))),
      ).toMatchObject({
        code: 'NoSuchBucket',
        status: 404,
      });

      expect(
        await s3Error(
          t.s3.send(new CreateBucketCommand({ Bucket: 'locked', ObjectLockEnabledForBucket: true })),
        ),
      ).toMatchObject({ code: 'NotImplemented', status: 501 });
      expect(await s3Error(t.s3.send(new HeadBucketCommand({ Bucket: 'locked' })))).toMatchObject({
        status: 404,
      });
    } finally {
      await t.stop();
    }
  });
});
