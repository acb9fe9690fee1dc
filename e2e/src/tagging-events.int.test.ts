// Object tagging end to end: PutObjectTagging and DeleteObjectTagging become
// `s3:ObjectCreated:PutTagging` / `DeleteTagging` events (MinIO's names) that
// reach the real Redis (list, as the seed) and Kafka targets after the object's
// Put, in order, matched by an `s3:ObjectCreated:*` rule.
import {
  CreateBucketCommand,
  DeleteObjectTaggingCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { type TargetKind, targetArn } from '@bucket-events/contracts';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketEvents, configDocument, type Reader, type SeedTarget, seedTargets } from './seed-targets.ts';
import { type Stack, startStack } from './stack.ts';

const KINDS: TargetKind[] = ['redis', 'kafka'];
const targets: SeedTarget[] = (await seedTargets(uniqueName, KINDS)).filter((target) => target.id === '1');
let stack: Stack;
let readers: Reader[] = [];

beforeAll(async () => {
  stack = await startStack({
    config: configDocument(targets),
    targets: KINDS,
    redisUrl: loadServiceEndpoints().redisUrl,
  });
  readers = await Promise.all(targets.map((target) => target.read()));
}, 120_000);

afterAll(async () => {
  await Promise.all(readers.map((reader) => reader.close()));
  await stack?.stop();
}, 60_000);

describe('tagging events', () => {
  it('reach the Redis and Kafka targets after the Put, in order, with the object as it is', async () => {
    expect(targets.map((t) => t.kind).sort()).toEqual(['kafka', 'redis']);
    const s3 = stack.s3;
    await s3.send(new CreateBucketCommand({ Bucket: 'tagged' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'tagged',
        NotificationConfiguration: {
          QueueConfigurations: targets.map((target) => ({
            QueueArn: targetArn({ kind: target.kind, id: target.id }, 'us-east-1'),
            Events: ['s3:ObjectCreated:*'],
          })),
        },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'tagged', Key: 'photo.jpg', Body: 'jpeg bytes' }));
    await s3.send(
      new PutObjectTaggingCommand({
        Bucket: 'tagged',
        Key: 'photo.jpg',
        Tagging: { TagSet: [{ Key: 'team', Value: 'red' }] },
      }),
    );
    await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'tagged', Key: 'photo.jpg' }));

    for (const [index, reader] of readers.entries()) {
      const seen = await bucketEvents(reader, 'tagged', 3, targets[index]?.kind ?? '');
      expect(seen.map((record) => record.eventName)).toEqual([
        's3:ObjectCreated:Put',
        's3:ObjectCreated:PutTagging',
        's3:ObjectCreated:DeleteTagging',
      ]);
      expect(seen.map((record) => record.s3.object.key)).toEqual(['photo.jpg', 'photo.jpg', 'photo.jpg']);
      expect(new Set(seen.map((record) => record.s3.object.eTag)).size).toBe(1);
      const sequencers = seen.map((record) => record.s3.object.sequencer);
      expect([...sequencers].sort()).toEqual(sequencers);
    }
  }, 120_000);
});
