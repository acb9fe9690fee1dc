// Ingest and router against the real Redis: notification rules decide which
// target queues get each event record; the records are the seed's; per-key
// order holds in every target queue, also when the router is SIGKILLed while
// routing thousands of mutations.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  layoutQueueNames,
  MUTATIONS_QUEUE,
  parseTargetJobs,
  partitionKeys,
  queueForKey,
  type TargetJob,
} from '@bucket-events/contracts';
import { buildConfig } from '@bucket-events/targets';
import { test } from '@bucket-events/testing';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { eventsByKey, putEvent } from '../../../packages/target-kit/test/jobs.ts';
import { eventually, startTestIngest, TEST_CONFIG_DOCUMENT } from '../../ingest/test/harness.ts';
import { spawnRouter } from '../test/spawn-router.ts';
import { startRouter } from './service.ts';

const AMQP = 'arn:minio:sqs:us-east-1:1:amqp';
const KAFKA = 'arn:minio:sqs:us-east-1:1:kafka';
const REDIS = 'arn:minio:sqs:us-east-1:1:redis';

async function configureRules(s3: S3Client, bucket: string) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: 'jpegs',
            QueueArn: AMQP,
            Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.jpg' }] } },
          },
          { Id: 'everything', QueueArn: KAFKA, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
          { QueueArn: REDIS, Events: ['s3:ObjectRemoved:*'] },
        ],
      },
    }),
  );
}

/** A target's partition queues, as the router laid them out. */
class TargetQueues {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly base: string,
    private readonly redis: { url: string; client: Redis },
    private readonly prefix: string,
  ) {}

  /**
   * Every job's events, partition after partition, each partition oldest first: the order its
   * owner consumes them (so each key's events in their order). Checks each event is in its
   * key's partition.
   */
  async jobs(): Promise<TargetJob[]> {
    const layout = Number(await this.redis.client.get(partitionKeys(this.prefix, this.base).layout));
    const all: TargetJob[] = [];
    for (const name of layoutQueueNames(this.base, layout)) {
      let queue = this.queues.get(name);
      if (!queue) {
        queue = new Queue(name, { prefix: this.prefix, connection: { url: this.redis.url } });
        this.queues.set(name, queue);
      }
      const jobs = await queue.getJobs(['wait', 'active', 'completed'], 0, -1, true);
      // Events the router appended to a waiting job are kept beside it (`<job>:more`, ADD_EVENTS).
      const data = await Promise.all(
        jobs.map(async (job) => {
          const more = await this.redis.client.get(`${this.prefix}:${name}:${job.id}:more`);
          return more ? JSON.parse(`${JSON.stringify(job.data).slice(0, -2)}${more}]}`) : job.data;
        }),
      );
      for (const event of data.flatMap((payload) => parseTargetJobs(payload))) {
        expect(queueForKey(this.base, layout, event.bucket, event.key)).toBe(name);
        all.push(event);
      }
    }
    return all;
  }

  close = () => Promise.all([...this.queues.values()].map((queue) => queue.close()));
}

const bySequencer = (jobs: TargetJob[]) => [...jobs].sort((a, b) => (a.sequencer < b.sequencer ? -1 : 1));

function assertPerKeyOrder(jobs: TargetJob[]) {
  const last = new Map<string, string>();
  for (const job of jobs) {
    const key = `${job.bucket}/${job.key}`;
    const previous = last.get(key);
    if (previous !== undefined)
      expect(job.sequencer > previous, `${key}: ${job.sequencer} after ${previous}`).toBe(true);
    last.set(key, job.sequencer);
  }
}

describe('router', () => {
  test('routes each mutation to the targets whose rules match, as seed event records', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const t = await startTestIngest(redis.url, prefix);
    const config = buildConfig(TEST_CONFIG_DOCUMENT, {}, 'test');
    const router = startRouter({
      config,
      redisUrl: redis.url,
      prefix,
      eventSource: 'aws:s3',
      deploymentId: 'test-deployment',
      concurrency: 16,
      log: pino({ level: 'silent' }),
      lockMs: 2000,
    });
    const queues = Object.fromEntries(
      config.targets.map((t) => [t.arn, new TargetQueues(t.queue, redis, prefix)]),
    );
    try {
      await router.leading;
      await configureRules(t.s3, 'images');
      await t.s3.send(
        new PutObjectCommand({
          Bucket: 'images',
          Key: 'myphoto.jpg',
          Body: 'jpeg',
          ContentType: 'image/jpeg',
        }),
      );
      await t.s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'notes.txt', Body: 'text' }));
      await t.s3.send(new DeleteObjectCommand({ Bucket: 'images', Key: 'myphoto.jpg' }));

      const kafka = await eventually(async () => {
        const jobs = await (queues[KAFKA] as TargetQueues).jobs();
        return jobs.length === 3 ? jobs : undefined;
      });
      expect(bySequencer(kafka).map((j) => [j.record.eventName, j.key])).toEqual([
        ['s3:ObjectCreated:Put', 'myphoto.jpg'],
        ['s3:ObjectCreated:Put', 'notes.txt'],
        ['s3:ObjectRemoved:Delete', 'myphoto.jpg'],
      ]);
      const amqp = await (queues[AMQP] as TargetQueues).jobs();
      expect(bySequencer(amqp).map((j) => [j.record.eventName, j.key, j.record.s3.configurationId])).toEqual([
        ['s3:ObjectCreated:Put', 'myphoto.jpg', 'jpegs'],
        ['s3:ObjectRemoved:Delete', 'myphoto.jpg', 'jpegs'],
      ]);
      const removals = await (queues[REDIS] as TargetQueues).jobs();
      expect(removals.map((j) => j.record.eventName)).toEqual(['s3:ObjectRemoved:Delete']);
      // A rule the client gave no Id: "Config", as MinIO's events say.
      expect(removals[0]?.record.s3.configurationId).toBe('Config');

      const put = amqp[0]?.record;
      expect(put).toMatchObject({
        eventVersion: '2.0',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventName: 's3:ObjectCreated:Put',
        userIdentity: { principalId: 'minioadmin' },
        requestParameters: { principalId: 'minioadmin', region: 'us-east-1', sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-minio-deployment-id': 'test-deployment',
          'x-minio-origin-endpoint': t.endpoint,
        },
        s3: {
          s3SchemaVersion: '1.0',
          bucket: {
            name: 'images',
            ownerIdentity: { principalId: 'minioadmin' },
            arn: 'arn:aws:s3:::images',
          },
          object: {
            key: 'myphoto.jpg',
            size: 4,
            eTag: expect.stringMatching(/^[0-9a-f]{32}$/),
            contentType: 'image/jpeg',
          },
        },
      });
      expect(put?.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const mutations = new Queue(MUTATIONS_QUEUE, { prefix, connection: { url: redis.url } });
      // Every raw mutation job (however the relay batched the three) completed once routed, and
      // stays only as its id (a repeated add is a no-op): the records' data went with it.
      const routed = await mutations.getJobs(['wait', 'active', 'completed', 'failed'], 0, -1, true);
      expect(routed.length).toBeGreaterThan(0);
      expect(routed.every((job) => job.finishedOn !== undefined && job.failedReason === undefined)).toBe(
        true,
      );
      expect(routed.map((job) => job.data)).toEqual(routed.map(() => ({})));
      await mutations.close();
    } finally {
      await router.close();
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await t.stop();
    }
  });

  test('SIGKILL of the router while routing 2,000 mutations: nothing lost, nothing duplicated, per-key order kept', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const t = await startTestIngest(redis.url, prefix);
    const dir = mkdtempSync(join(tmpdir(), 'router-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(TEST_CONFIG_DOCUMENT));
    const config = buildConfig(TEST_CONFIG_DOCUMENT, {}, 'test');
    const queues = Object.fromEntries(
      config.targets.map((t) => [t.arn, new TargetQueues(t.queue, redis, prefix)]),
    );
    const launchRouter = (): ChildProcess =>
      spawnRouter({
        redisUrl: redis.url,
        prefix,
        configPath: join(dir, 'config.json'),
        extraEnv: { ROUTER_CONCURRENCY: '32' },
      });
    let child = launchRouter();
    try {
      await configureRules(t.s3, 'orders');
      // 2,000 mutations over 40 keys, written while the router runs and is killed twice.
      const writes = (async () => {
        for (let i = 0; i < 2000; i += 20) {
          await Promise.all(
            Array.from({ length: 20 }, (_, j) => {
              const n = i + j;
              const Key = `key-${n % 40}.jpg`;
              return n % 5 === 4
                ? t.s3.send(new DeleteObjectCommand({ Bucket: 'orders', Key }))
                : t.s3.send(new PutObjectCommand({ Bucket: 'orders', Key, Body: `v${n}` }));
            }),
          );
        }
      })();
      for (let kill = 0; kill < 2; kill++) {
        await eventually(
          async () =>
            (await (queues[KAFKA] as TargetQueues).jobs()).length > 300 * (kill + 1) ? true : undefined,
          30_000,
        );
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        child = launchRouter();
      }
      await writes;
      // What was acknowledged, per key in the order written (each key's writes ran one after
      // another): a PUT is told by its ETag; a DELETE of a missing key is MinIO's NoOP.
      const acknowledged = new Map<string, string[]>();
      const note = (key: string, event: string) => {
        const events = acknowledged.get(key) ?? [];
        acknowledged.set(key, events);
        events.push(event);
      };
      const present = new Set<string>();
      for (let n = 0; n < 2000; n++) {
        const Key = `key-${n % 40}.jpg`;
        if (n % 5 !== 4) {
          note(Key, putEvent(`v${n}`));
          present.add(Key);
        } else note(Key, present.delete(Key) ? 'delete' : 'noop');
      }
      const committed = [...acknowledged.values()].flat();
      expect(committed.length).toBeGreaterThan(1500);
      const kafka = await eventually(async () => {
        const jobs = await (queues[KAFKA] as TargetQueues).jobs();
        return jobs.length >= committed.length ? jobs : undefined;
      }, 60_000);
      // Every acknowledged mutation reached the catch-all target exactly once (one sequencer
      // each), in per-key order, as the very event written.
      expect(new Set(kafka.map((j) => j.sequencer)).size).toBe(kafka.length);
      expect(kafka.length).toBe(committed.length);
      assertPerKeyOrder(kafka);
      expect(eventsByKey(kafka)).toEqual(acknowledged);
      const amqp = await (queues[AMQP] as TargetQueues).jobs();
      expect(amqp.length).toBe(committed.length); // every key ends in .jpg
      assertPerKeyOrder(amqp);
      const removals = await (queues[REDIS] as TargetQueues).jobs();
      expect(removals.length).toBe(
        committed.filter((event) => event === 'delete' || event === 'noop').length,
      );
      assertPerKeyOrder(removals);
    } finally {
      child.kill('SIGKILL');
      await Promise.all(Object.values(queues).map((q) => q.close()));
      await t.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
