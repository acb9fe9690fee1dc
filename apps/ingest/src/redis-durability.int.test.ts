// BUCKET_EVENTS_REDIS_DURABILITY: outbox rows are deleted only once Redis keeps
// their jobs as durably as asked — on its disk (fsync: appendfsync always) or
// on N replicas (WAIT). Until then nothing is lost: uploads are accepted, the
// rows stay, and they drain as soon as Redis gives that durability.
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { metricSample, type PrivateRedis, privateRedis, test } from '@bucket-events/testing';
import { describe, expect } from 'vitest';
import { eventually, startTestIngest } from '../test/harness.ts';

async function withRedis<T>(extraArgs: string[], use: (redis: PrivateRedis) => Promise<T>): Promise<T> {
  const redis = await privateRedis({ extraArgs });
  await redis.start();
  try {
    return await use(redis);
  } finally {
    await redis.remove();
  }
}

describe('outbox durability against Redis', () => {
  test('fsync: rows wait until Redis fsyncs every write, then drain', async ({ redis: shared }) => {
    await withRedis(['--appendfsync', 'everysec'], async (own) => {
      const server = await startTestIngest(`redis://${own.address}`, shared.prefix.slice(0, -1), {
        metricsPort: 0,
        redisDurability: { mode: 'fsync' },
      });
      const metrics = async () =>
        (await fetch(`http://127.0.0.1:${server.ingest.metricsPort}/metrics`)).text();
      try {
        await server.s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
        await server.s3.send(new PutObjectCommand({ Bucket: 'durable', Key: 'a', Body: 'x' }));
        // Refused as not durable at least once, and nothing deleted meanwhile.
        const refused = await eventually(async () => {
          const text = await metrics();
          return (metricSample(text, 'bucket_events_relay_failures_total') ?? 0) > 0 ? text : undefined;
        });
        expect(metricSample(refused, 'bucket_events_outbox_rows')).toBeGreaterThan(0);
        expect(await server.mutationRecords()).toEqual([]);

        const client = own.client();
        await client.connect();
        await client.config('SET', 'appendfsync', 'always');
        client.disconnect();
        await eventually(
          async () => (metricSample(await metrics(), 'bucket_events_outbox_rows') === 0 ? true : undefined),
          20_000,
        );
        expect((await server.mutationRecords()).map((r) => r.key)).toEqual(['a']);
      } finally {
        await server.stop();
      }
    });
  });

  test('replicas:1: rows wait until a replica confirms, then drain', async ({ redis: shared }) => {
    await withRedis([], async (primary) => {
      const server = await startTestIngest(`redis://${primary.address}`, shared.prefix.slice(0, -1), {
        metricsPort: 0,
        redisDurability: { mode: 'replicas', replicas: 1 },
      });
      const metrics = async () =>
        (await fetch(`http://127.0.0.1:${server.ingest.metricsPort}/metrics`)).text();
      try {
        await server.s3.send(new CreateBucketCommand({ Bucket: 'replicated' }));
        await server.s3.send(new PutObjectCommand({ Bucket: 'replicated', Key: 'b', Body: 'x' }));
        // No replica: WAIT times out (5 s) and the round counts as not durable.
        const refused = await eventually(async () => {
          const text = await metrics();
          return (metricSample(text, 'bucket_events_relay_failures_total') ?? 0) > 0 ? text : undefined;
        }, 20_000);
        expect(metricSample(refused, 'bucket_events_outbox_rows')).toBeGreaterThan(0);

        // A replica without its own AOF: it confirms once it has the writes in memory.
        await withRedis(
          ['--appendonly', 'no', '--replicaof', '127.0.0.1', String(primary.port)],
          async () => {
            await eventually(
              async () =>
                metricSample(await metrics(), 'bucket_events_outbox_rows') === 0 ? true : undefined,
              30_000,
            );
          },
        );
        expect((await server.mutationRecords()).map((r) => r.key)).toEqual(['b']);
      } finally {
        await server.stop();
      }
    });
  }, 60_000);
});
