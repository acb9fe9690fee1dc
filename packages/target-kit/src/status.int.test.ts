// Target status against the real Redis: heartbeats from a running target plus
// its queues give online/offline/no-process, backlog, oldest pending age,
// counters and the last error — what `admin targets` and the status page show.
import { DEFAULT_TARGET_PARTITIONS, type TargetStatus } from '@bucket-events/contracts';
import { test } from '@bucket-events/testing';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { enqueue, enqueueBatches, targetJob } from '../test/jobs.ts';
import { RecordingSink } from '../test/recording-sink.ts';
import { runTarget } from './run-target.ts';
import { type StatusTarget, TargetStatusReader } from './status.ts';
import { PartitionedTestQueue } from './test-queue.ts';

const target = { kind: 'test', id: '1', arn: 'arn:minio:sqs:us-east-1:1:test', queue: 'target.test.1' };

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('target status', () => {
  test('shows no process, then online with counters, then offline with a growing backlog and the error', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const client = new Redis(redis.url);
    const reader = new TargetStatusReader(client, { prefix, redisUrl: redis.url });
    const queue = new PartitionedTestQueue({
      base: target.queue,
      layout: DEFAULT_TARGET_PARTITIONS,
      prefix,
      redisUrl: redis.url,
    });
    // A kind of its own ('test'), so its queue is `target.test.1` like the kit's other tests.
    const status = async () => (await reader.read([target as unknown as StatusTarget]))[0] as TargetStatus;
    const sink = new RecordingSink();
    try {
      await enqueue(queue, [targetJob('a'), targetJob('b')]);
      expect(await status()).toMatchObject({ state: 'no-process', processes: 0, backlog: 2 });
      const running = await runTarget({
        target,
        sink,
        redisUrl: redis.url,
        prefix,
        log: pino({ level: 'silent' }),
        retryInitialMs: 20,
        retryMaxMs: 200,
      });
      const online = await until(async () => {
        const now = await status();
        return now.state === 'online' && now.delivered === 2 && now.backlog === 0 ? now : undefined;
      });
      expect(online).toMatchObject({ processes: 1, failed: 0, deadLettered: 0 });
      // The one process owns every partition; each partition names it as its owner.
      const [instance] = online.instances;
      expect(instance?.partitions).toHaveLength(DEFAULT_TARGET_PARTITIONS);
      expect(online.partitions.map((p) => p.queue)).toEqual(
        Array.from({ length: DEFAULT_TARGET_PARTITIONS }, (_, n) => `${target.queue}.p${n}`),
      );
      expect(new Set(online.partitions.map((p) => p.owner))).toEqual(new Set([instance?.instance]));

      sink.down = 'reconnect';
      // One job carrying five events: the backlog counts events, not jobs.
      await enqueueBatches(queue, [Array.from({ length: 5 }, (_, i) => targetJob(`k${i}`))]);
      const offline = await until(async () => {
        const now = await status();
        return now.state === 'offline' && now.backlog === 5 ? now : undefined;
      });
      expect(offline.partitions.reduce((total, p) => total + p.backlog, 0)).toBe(5);
      expect(offline.lastError).toMatch(/target unavailable|connection refused/);
      expect(offline.oldestPendingSeconds).toBeGreaterThan(0);

      sink.down = undefined;
      await until(async () => ((await status()).backlog === 0 ? true : undefined));
      await running.close();
      expect(await status()).toMatchObject({ state: 'no-process', backlog: 0, delivered: 0 });
    } finally {
      await queue.close();
      await reader.close();
      client.disconnect();
    }
  });
});
