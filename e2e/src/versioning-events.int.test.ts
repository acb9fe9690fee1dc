// Bucket versioning and object lock end to end: in a versioned bucket every event carries the
// object's `versionId`, a DELETE becomes `s3:ObjectRemoved:DeleteMarkerCreated`
// (MinIO's name), and deleting one version is `s3:ObjectRemoved:Delete` with
// that version. The real Redis (list, as the seed) and Kafka targets receive
// them in order; a Redis namespace view shows, after each step, what a GET
// of the key would return (so it keeps the key when a noncurrent version goes,
// and shows the older version when the newest one is deleted). Object lock
// changes arrive as `s3:ObjectCreated:PutRetention` / `PutLegalHold`.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { type EventRecord, type TargetKind, targetArn } from '@bucket-events/contracts';
import { eventually, loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketEvents, configDocument, type Reader, type SeedTarget, seedTargets } from './seed-targets.ts';
import { type Stack, startStack } from './stack.ts';

const KINDS: TargetKind[] = ['redis', 'kafka'];
const targets: SeedTarget[] = await seedTargets(uniqueName, KINDS);
const access = targets.filter((target) => target.id === '1');
const namespace = targets.find((target) => target.kind === 'redis' && target.id === 'namespace');
let stack: Stack;
let redis: Redis;
const readers = new Map<SeedTarget, Reader>();

beforeAll(async () => {
  stack = await startStack({
    config: configDocument(targets),
    targets: KINDS,
    redisUrl: loadServiceEndpoints().redisUrl,
  });
  redis = new Redis(loadServiceEndpoints().redisUrl);
  for (const target of [...access, ...(namespace ? [namespace] : [])])
    readers.set(target, await target.read());
}, 120_000);

afterAll(async () => {
  await Promise.all([...readers.values()].map((reader) => reader.close()));
  await redis?.quit();
  await stack?.stop();
}, 60_000);

const BUCKET = 'versioned';

const eventsAt = (target: SeedTarget, count: number) =>
  bucketEvents(readers.get(target) as Reader, BUCKET, count, target.title);

/** Waits until the namespace view's entry for the key is `expected` (undefined: no entry). */
async function viewEntry(key: string, settled: (entry: EventRecord | undefined) => boolean) {
  const reader = readers.get(namespace as SeedTarget) as Reader;
  return eventually(
    async () => {
      const observation = await reader.observe();
      if (observation.kind !== 'view') throw new Error('expected a namespace target');
      const entry = observation.view.get(`${BUCKET}/${key}`);
      return settled(entry) ? { entry } : undefined;
    },
    { what: `the namespace view of ${key}`, timeoutMs: 60_000, intervalMs: 200 },
  );
}

describe('versioning events', () => {
  it('carry version ids and delete markers to Redis and Kafka, and keep a namespace view right', async () => {
    expect(access.map((t) => t.kind).sort()).toEqual(['kafka', 'redis']);
    expect(namespace).toBeDefined();
    const s3 = stack.s3;
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: [...access, namespace as SeedTarget].map((target) => ({
            QueueArn: targetArn({ kind: target.kind, id: target.id }, 'us-east-1'),
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          })),
        },
      }),
    );
    const put = async (body: string) =>
      (await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', Body: body }))).VersionId ?? '';
    const v1 = await put('first');
    const v2 = await put('second');
    // The view shows the newest version.
    await viewEntry('doc.txt', (entry) => entry?.s3.object.versionId === v2);

    // A noncurrent version goes: once the view has taken that event (its sequencer is recorded),
    // it still shows the current version.
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', VersionId: v1 }));
    const [redisAccess] = access.filter((target) => target.kind === 'redis');
    const deletion = (await eventsAt(redisAccess as SeedTarget, 3))[2];
    expect([deletion?.eventName, deletion?.s3.object.versionId]).toEqual(['s3:ObjectRemoved:Delete', v1]);
    const viewKey = String((namespace as SeedTarget).block.key);
    await eventually(
      async () =>
        ((await redis.hget(`${viewKey}:sequencers`, `${BUCKET}/doc.txt`)) ?? '') >=
        (deletion?.s3.object.sequencer ?? '~')
          ? true
          : undefined,
      { what: 'the view to take the deletion of a noncurrent version', timeoutMs: 60_000, intervalMs: 100 },
    );
    expect((await viewEntry('doc.txt', () => true)).entry?.s3.object.versionId).toBe(v2);

    // The newest version goes: the view shows the one that became current (v2, "second").
    const v3 = await put('third');
    await viewEntry('doc.txt', (entry) => entry?.s3.object.versionId === v3);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doc.txt', VersionId: v3 }));
    const restored = await viewEntry('doc.txt', (entry) => entry?.s3.object.versionId === v2);
    expect(restored.entry?.eventName).toBe('s3:ObjectRemoved:Delete');
    expect(restored.entry?.s3.object.size).toBe('second'.length);

    // A delete marker hides the key: the view drops it.
    const marker = (await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doc.txt' }))).VersionId;
    await viewEntry('doc.txt', (entry) => entry === undefined);

    for (const target of access) {
      const seen = await eventsAt(target, 6);
      expect(seen.map((record) => [record.eventName, record.s3.object.versionId])).toEqual([
        ['s3:ObjectCreated:Put', v1],
        ['s3:ObjectCreated:Put', v2],
        ['s3:ObjectRemoved:Delete', v1],
        ['s3:ObjectCreated:Put', v3],
        ['s3:ObjectRemoved:Delete', v3],
        ['s3:ObjectRemoved:DeleteMarkerCreated', marker],
      ]);
      const sequencers = seen.map((record) => record.s3.object.sequencer);
      expect([...sequencers].sort()).toEqual(sequencers);
    }
  }, 180_000);

  it('object lock changes reach Redis and Kafka as PutRetention and PutLegalHold, with the version', async () => {
    const s3 = stack.s3;
    const bucket = 'locked-events';
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: access.map((target) => ({
            QueueArn: targetArn({ kind: target.kind, id: target.id }, 'us-east-1'),
            Events: ['s3:ObjectCreated:*'],
          })),
        },
      }),
    );
    const { VersionId } = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'deed.pdf', Body: 'deed' }),
    );
    await s3.send(
      new PutObjectRetentionCommand({
        Bucket: bucket,
        Key: 'deed.pdf',
        Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 86_400_000) },
      }),
    );
    await s3.send(
      new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'deed.pdf', LegalHold: { Status: 'ON' } }),
    );
    for (const target of access) {
      const seen = await bucketEvents(readers.get(target) as Reader, bucket, 3, target.title);
      expect(seen.map((record) => [record.eventName, record.s3.object.versionId])).toEqual([
        ['s3:ObjectCreated:Put', VersionId],
        ['s3:ObjectCreated:PutRetention', VersionId],
        ['s3:ObjectCreated:PutLegalHold', VersionId],
      ]);
    }
  }, 180_000);
});
