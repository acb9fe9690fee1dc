// The ordered consumer against the real Redis: jobs come out in queue order,
// at most maxHeld at a time, and jobs held by a consumer that went away come
// back ahead of newer ones.
import { test } from '@bucket-events/testing';
import { type Job, Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { type HeldJob, OrderedConsumer } from './ordered-consumer.ts';

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('OrderedConsumer', () => {
  test('hands out jobs in queue order and never holds more than maxHeld', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    const seen: number[] = [];
    let maxHeld = 0;
    const consumer = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 5,
      lockMs: 5000,
      onJob: (job: Job, handle: HeldJob) => {
        seen.push(job.data.n as number);
        maxHeld = Math.max(maxHeld, consumer.heldCount);
        setTimeout(() => void handle.complete(), 5);
      },
    });
    try {
      consumer.start();
      for (let batch = 0; batch < 10; batch++) {
        await queue.addBulk(
          Array.from({ length: 20 }, (_, i) => ({ name: 'j', data: { n: batch * 20 + i } })),
        );
      }
      await until(async () => (await queue.getCompletedCount()) === 200);
      expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
      expect(maxHeld).toBeLessThanOrEqual(5);
    } finally {
      await consumer.close();
      await queue.close();
    }
  });

  test('jobs held by a consumer that went away come back before newer jobs', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: { n } })));
    const first = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 2,
      lockMs: 1000,
      onJob: () => {},
    });
    first.start();
    await until(() => first.heldCount === 2);
    await first.close(); // never completed: 1 and 2 are released when their locks lapse
    await queue.addBulk([4, 5].map((n) => ({ name: 'j', data: { n } })));
    const seen: number[] = [];
    const second = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 10,
      lockMs: 1000,
      onJob: (job: Job, handle: HeldJob) => {
        seen.push(job.data.n as number);
        void handle.complete();
      },
    });
    try {
      // As the router does after a crash: recover stalled jobs before taking new ones.
      second.startStalledCheck();
      await until(async () => (await queue.getActiveCount()) === 0, 10_000);
      second.start();
      await until(() => seen.length === 5);
      expect(seen.slice(0, 2).sort()).toEqual([1, 2]);
      expect(seen.slice(2)).toEqual([3, 4, 5]);
    } finally {
      await second.close();
      await queue.close();
    }
  }, 30_000);
});
