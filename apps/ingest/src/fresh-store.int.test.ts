// A data directory emptied (or a new one) under the same Redis prefix: the new
// store's batch jobs, sequencers and config versions must not take the ids the
// earlier store already gave out — a batch job with an earlier job's id would be
// dropped as already added, and its upload never evented.
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, startTestIngest, type TestIngest } from '../test/harness.ts';

async function uploadWithRule(t: TestIngest, key: string) {
  await t.s3.send(new CreateBucketCommand({ Bucket: 'images' }));
  await t.s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: 'images',
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: 'arn:minio:sqs:us-east-1:1:amqp', Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  );
  await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: key, Body: key }));
}

describe('a store created afresh on the same Redis', () => {
  test('relays its first upload as a new batch, above the earlier store’s sequencers and versions', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const earlier = await startTestIngest(redis.url, prefix);
    await uploadWithRule(earlier, 'first.jpg');
    const [before] = await eventually(async () => {
      const records = await earlier.mutationRecords();
      return records.length === 1 ? records : undefined;
    });
    await earlier.stop();

    const fresh = await startTestIngest(redis.url, prefix); // a new, empty data directory
    try {
      await uploadWithRule(fresh, 'second.jpg');
      const records = await eventually(async () => {
        const all = await fresh.mutationRecords();
        return all.length === 2 ? all : undefined;
      });
      const after = records.find((record) => record.key === 'second.jpg');
      expect((after?.sequencer as string) > (before?.sequencer as string)).toBe(true);
      expect(after?.configVersion).toBeGreaterThan(before?.configVersion as number);
    } finally {
      await fresh.stop();
    }
  });
});
