// Object lock through the AWS SDK and the MinIO SDK: on a bucket without it, the
// codes S3 and MinIO answer there (404, 409, 400); on a bucket created with it,
// default retention, GOVERNANCE (and its bypass), COMPLIANCE and legal holds
// keep versions from being deleted, and each change is an event.
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, minioClient, s3Error, startTestIngest } from '../test/harness.ts';

describe('object lock on a bucket without it', () => {
  test('answers 404, 409 and 400 as S3 does, and refuses lock headers on its objects', async ({ redis }) => {
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

      // Lock headers on a PUT into such a bucket are refused, not ignored.
      expect(
        await s3Error(
          t.s3.send(
            new PutObjectCommand({
              Bucket: 'plain',
              Key: 'b.txt',
              Body: 'b',
              ObjectLockLegalHoldStatus: 'ON',
            }),
          ),
        ),
      ).toMatchObject(missing);
    } finally {
      await t.stop();
    }
  });
});

describe('object lock on a bucket created with it', () => {
  const inADay = () => new Date(Date.now() + 86_400_000);
  const denied = { code: 'AccessDenied', status: 403 };

  test('default retention, GOVERNANCE with its bypass, COMPLIANCE, legal hold, and their events', async ({
    redis,
  }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    const { s3 } = t;
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'vault', ObjectLockEnabledForBucket: true }));
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: 'vault' }))).Status).toBe('Enabled');
      expect(
        (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'vault' }))).ObjectLockConfiguration,
      ).toEqual({ ObjectLockEnabled: 'Enabled' });
      expect(
        await s3Error(
          s3.send(
            new PutBucketVersioningCommand({
              Bucket: 'vault',
              VersioningConfiguration: { Status: 'Suspended' },
            }),
          ),
        ),
      ).toMatchObject({ code: 'InvalidBucketState', status: 409 });
      await s3.send(
        new PutObjectLockConfigurationCommand({
          Bucket: 'vault',
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } },
          },
        }),
      );
      expect(
        (await s3.send(new GetObjectLockConfigurationCommand({ Bucket: 'vault' }))).ObjectLockConfiguration
          ?.Rule,
      ).toEqual({ DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } });

      // The bucket's default retention: GOVERNANCE for a day; only the bypass deletes the version.
      const governed = await s3.send(
        new PutObjectCommand({ Bucket: 'vault', Key: 'g.txt', Body: 'governed' }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'vault', Key: 'g.txt' }));
      expect(head.ObjectLockMode).toBe('GOVERNANCE');
      expect(head.ObjectLockRetainUntilDate?.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
      const deleteGoverned = (bypass?: boolean) =>
        s3.send(
          new DeleteObjectCommand({
            Bucket: 'vault',
            Key: 'g.txt',
            VersionId: governed.VersionId,
            BypassGovernanceRetention: bypass,
          }),
        );
      expect(await s3Error(deleteGoverned())).toMatchObject(denied);
      await deleteGoverned(true);

      // COMPLIANCE from the request's headers: extended but never shortened, and no bypass.
      const until = inADay();
      const complied = await s3.send(
        new PutObjectCommand({
          Bucket: 'vault',
          Key: 'c.txt',
          Body: 'complied',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: until,
        }),
      );
      const retention = (await s3.send(new GetObjectRetentionCommand({ Bucket: 'vault', Key: 'c.txt' })))
        .Retention;
      expect([retention?.Mode, retention?.RetainUntilDate?.toISOString()]).toEqual([
        'COMPLIANCE',
        until.toISOString(),
      ]);
      const setRetention = (Mode: 'GOVERNANCE' | 'COMPLIANCE', RetainUntilDate: Date) =>
        s3.send(
          new PutObjectRetentionCommand({
            Bucket: 'vault',
            Key: 'c.txt',
            Retention: { Mode, RetainUntilDate },
          }),
        );
      expect(await s3Error(setRetention('COMPLIANCE', new Date(Date.now() + 3_600_000)))).toMatchObject(
        denied,
      );
      expect(await s3Error(setRetention('GOVERNANCE', new Date(until.getTime() + 86_400_000)))).toMatchObject(
        denied,
      );
      await setRetention('COMPLIANCE', new Date(until.getTime() + 86_400_000));
      expect(
        await s3Error(
          s3.send(
            new DeleteObjectCommand({
              Bucket: 'vault',
              Key: 'c.txt',
              VersionId: complied.VersionId,
              BypassGovernanceRetention: true,
            }),
          ),
        ),
      ).toMatchObject(denied);
      // A DELETE without a version id still hides the key behind a delete marker.
      expect((await s3.send(new DeleteObjectCommand({ Bucket: 'vault', Key: 'c.txt' }))).DeleteMarker).toBe(
        true,
      );
      expect(
        (
          await s3.send(
            new GetObjectCommand({ Bucket: 'vault', Key: 'c.txt', VersionId: complied.VersionId }),
          )
        ).ObjectLockMode,
      ).toBe('COMPLIANCE');

      // A multipart upload keeps the lock CreateMultipartUpload asked for.
      const partsUntil = inADay();
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: 'vault',
          Key: 'm.bin',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: partsUntil,
        }),
      );
      const part = await s3.send(
        new UploadPartCommand({ Bucket: 'vault', Key: 'm.bin', UploadId, PartNumber: 1, Body: 'parts' }),
      );
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'vault',
          Key: 'm.bin',
          UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        }),
      );
      const multipart = await s3.send(new HeadObjectCommand({ Bucket: 'vault', Key: 'm.bin' }));
      expect([multipart.ObjectLockMode, multipart.ObjectLockRetainUntilDate?.toISOString()]).toEqual([
        'COMPLIANCE',
        partsUntil.toISOString(),
      ]);

      // A legal hold on a version without retention: it stays until the hold is lifted.
      await s3.send(new CreateBucketCommand({ Bucket: 'held', ObjectLockEnabledForBucket: true }));
      const held = await s3.send(new PutObjectCommand({ Bucket: 'held', Key: 'h.txt', Body: 'held' }));
      expect(
        await s3Error(s3.send(new GetObjectLegalHoldCommand({ Bucket: 'held', Key: 'h.txt' }))),
      ).toMatchObject({ code: 'NoSuchObjectLockConfiguration', status: 404 });
      const hold = (Status: 'ON' | 'OFF') =>
        s3.send(new PutObjectLegalHoldCommand({ Bucket: 'held', Key: 'h.txt', LegalHold: { Status } }));
      await hold('ON');
      expect(
        (await s3.send(new GetObjectLegalHoldCommand({ Bucket: 'held', Key: 'h.txt' }))).LegalHold?.Status,
      ).toBe('ON');
      const deleteHeld = () =>
        s3.send(new DeleteObjectCommand({ Bucket: 'held', Key: 'h.txt', VersionId: held.VersionId }));
      expect(await s3Error(deleteHeld())).toMatchObject(denied);
      await hold('OFF');
      await deleteHeld();

      const records = await eventually(async () => {
        const all = (await t.mutationRecords()).filter(
          (r) => r.eventName.includes('Retention') || r.eventName.includes('LegalHold'),
        );
        return all.length >= 3 ? all : undefined;
      });
      expect(records.map((r) => [r.eventName, r.key, r.versionId])).toEqual([
        ['s3:ObjectCreated:PutRetention', 'c.txt', complied.VersionId],
        ['s3:ObjectCreated:PutLegalHold', 'h.txt', held.VersionId],
        ['s3:ObjectCreated:PutLegalHold', 'h.txt', held.VersionId],
      ]);
    } finally {
      await t.stop();
    }
  });

  test('through the MinIO SDK, as mc retention and mc legalhold drive it', async ({ redis }) => {
    const t = await startTestIngest(redis.url, redis.prefix.slice(0, -1));
    try {
      const minio = minioClient(t.endpoint);
      await minio.makeBucket('mcvault', 'us-east-1', { ObjectLocking: true });
      await minio.setObjectLockConfig('mcvault', { mode: 'COMPLIANCE', unit: 'Days', validity: 2 });
      expect(await minio.getObjectLockConfig('mcvault')).toMatchObject({
        objectLockEnabled: 'Enabled',
        mode: 'COMPLIANCE',
        unit: 'Days',
        validity: 2,
      });
      const { versionId } = await minio.putObject('mcvault', 'm.txt', Buffer.from('minio'));
      const retention = await minio.getObjectRetention('mcvault', 'm.txt', { versionId: versionId ?? '' });
      expect(retention?.mode).toBe('COMPLIANCE');
      await minio.setObjectLegalHold('mcvault', 'm.txt', { status: 'ON', versionId: versionId ?? '' });
      expect(await minio.getObjectLegalHold('mcvault', 'm.txt', { versionId: versionId ?? '' })).toEqual({
        Status: 'ON',
      });
      await expect(
        minio.removeObject('mcvault', 'm.txt', { versionId: versionId ?? '' }),
      ).rejects.toMatchObject({
        code: 'AccessDenied',
      });
    } finally {
      await t.stop();
    }
  });
});
