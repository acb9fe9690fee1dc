// The queues on a Redis Cluster (REDIS_URL=redis-cluster://…, the local
// three-master cluster of infra/local): ingest, the router and the target apps
// as separate processes, every key of the deployment under one hash tag. Uploads
// and deletes of a few keys reach a Redis list target and a PostgreSQL namespace
// view in per-key order, and the deployment's keys all live in the tag's slot.
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { type TargetKind, targetArn } from '@bucket-events/contracts';
import { clusterMasterOf, createRedis } from '@bucket-events/queue';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketEvents, configDocument, type Reader, type SeedTarget, seedTargets } from './seed-targets.ts';
import { type Stack, startStack } from './stack.ts';

const { redisClusterUrl } = loadServiceEndpoints();
const KINDS: TargetKind[] = ['redis', 'postgresql'];
const targets: SeedTarget[] = await seedTargets(uniqueName, KINDS);
const list = targets.find((target) => target.kind === 'redis' && target.id === '1') as SeedTarget;
const view = targets.find((target) => target.kind === 'postgresql' && target.id === '1') as SeedTarget;
let stack: Stack;
const readers = new Map<SeedTarget, Reader>();

beforeAll(async () => {
  stack = await startStack({
    config: configDocument([list, view]),
    targets: KINDS,
    redisUrl: redisClusterUrl,
  });
  for (const target of [list, view]) readers.set(target, await target.read());
}, 120_000);

afterAll(async () => {
  await Promise.all([...readers.values()].map((reader) => reader.close()));
  await stack?.stop();
}, 60_000);

describe('queues on a Redis Cluster', () => {
  it('deliver every mutation in per-key order, with every key of the deployment in one slot', async () => {
    const s3 = stack.s3;
    await s3.send(new CreateBucketCommand({ Bucket: 'clustered' }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: 'clustered',
        NotificationConfiguration: {
          QueueConfigurations: [list, view].map((target) => ({
            QueueArn: targetArn({ kind: target.kind, id: target.id }, 'us-east-1'),
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
          })),
        },
      }),
    );
    const expected: string[] = [];
    for (let round = 0; round < 5; round++) {
      for (const key of ['a.jpg', 'b.jpg', 'c.jpg']) {
        await s3.send(new PutObjectCommand({ Bucket: 'clustered', Key: key, Body: `${key} ${round}` }));
        expected.push(`${key} put`);
      }
    }
    await s3.send(new DeleteObjectCommand({ Bucket: 'clustered', Key: 'b.jpg' }));
    expected.push('b.jpg delete');

    const events = await bucketEvents(
      readers.get(list) as Reader,
      'clustered',
      expected.length,
      'the Redis list',
    );
    const seen = events.map(
      (record) =>
        `${record.s3.object.key} ${record.eventName.startsWith('s3:ObjectRemoved') ? 'delete' : 'put'}`,
    );
    for (const key of ['a.jpg', 'b.jpg', 'c.jpg']) {
      expect(seen.filter((entry) => entry.startsWith(key))).toEqual(
        expected.filter((entry) => entry.startsWith(key)),
      );
    }
    for (const key of ['a.jpg', 'b.jpg', 'c.jpg']) {
      const ofKey = events
        .filter((record) => record.s3.object.key === key)
        .map((record) => record.s3.object.sequencer);
      expect([...ofKey].sort()).toEqual(ofKey);
    }

    // The namespace view converges on the bucket's contents.
    const reader = readers.get(view) as Reader;
    await expect
      .poll(
        async () => {
          const observation = await reader.observe();
          return observation.kind === 'view' ? [...observation.view.keys()].sort() : [];
        },
        { timeout: 60_000, interval: 200 },
      )
      .toEqual(['clustered/a.jpg', 'clustered/c.jpg']);

    // Every key of the deployment carries its hash tag, so all of them share one slot.
    expect(stack.prefix).toMatch(/^\{e2e-.+\}$/);
    const { host, port } = await clusterMasterOf(redisClusterUrl, stack.prefix);
    const node = createRedis(`redis://${host}:${port}`);
    try {
      const keys = await node.keys(`${stack.prefix}:*`);
      expect(keys.length).toBeGreaterThan(10);
      expect(keys.some((key) => key.includes('target.redis.1'))).toBe(true);
    } finally {
      node.disconnect();
    }
  });
});
