// JobAdder against the real Redis: its jobs are the jobs Queue.add makes, as far
// as BullMQ's own APIs and OrderedConsumer can tell, and an id is added once.
import { test } from '@bucket-events/testing';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { until } from '../test/until.ts';
import { JobAdder, type PlainJobOptions } from './add-job.ts';
import { OrderedConsumer, type TakenJob } from './ordered-consumer.ts';

const OPTIONS: PlainJobOptions = {
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: false,
  attempts: 25,
  backoff: { type: 'exponential', delay: 1000 },
};

describe('JobAdder', () => {
  test('writes the job hash Queue.add writes, apart from the time', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const connection = new Redis(redis.url);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    try {
      const data = { batchVersion: 1, events: [{ key: 'a/b.jpg', n: 1 }] };
      await queue.add('events:1', data, { jobId: 'by-bullmq', ...OPTIONS });
      expect(
        await new JobAdder(connection, prefix).add('q', {
          id: 'by-adder',
          name: 'events:1',
          data,
          opts: OPTIONS,
        }),
      ).toBe(true);
      const [bullmq, adder] = await Promise.all(
        ['by-bullmq', 'by-adder'].map((id) => connection.hgetall(`${prefix}:q:${id}`)),
      );
      const comparable = (hash: Record<string, string> | undefined) => {
        const { timestamp, opts, ...rest } = hash ?? {};
        expect(Number(timestamp)).toBeGreaterThan(Date.now() - 60_000);
        return { ...rest, opts: { ...JSON.parse(opts ?? '{}'), jobId: undefined } };
      };
      expect(comparable(adder)).toEqual(comparable(bullmq));
      // Both wait in order of their adds, and BullMQ reads the adder's job back as it was given.
      expect(await queue.getWaiting()).toHaveLength(2);
      const job = await queue.getJob('by-adder');
      expect([job?.name, job?.data, job?.opts.attempts, job?.opts.removeOnComplete]).toEqual([
        'events:1',
        data,
        25,
        OPTIONS.removeOnComplete,
      ]);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  test('an id is added once, while it waits and after it completed', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const connection = new Redis(redis.url);
    const adder = new JobAdder(connection, prefix);
    const seen: number[] = [];
    const consumer = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 10,
      lockMs: 5000,
      onJob: (job: TakenJob, handle) => {
        seen.push((job.data as { n: number }).n);
        void handle.complete();
      },
    });
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    try {
      const add = (id: string, n: number) => adder.add('q', { id, name: 'j', data: { n }, opts: OPTIONS });
      expect([await add('a', 1), await add('a', 2), await add('b', 3)]).toEqual([true, false, true]);
      consumer.start();
      await until(() => seen.length === 2);
      await until(async () => (await queue.getCompletedCount()) === 2);
      expect(await add('a', 4)).toBe(false); // kept completed as a marker: a repeated fan-out adds nothing
      expect(await add('c', 5)).toBe(true);
      await until(() => seen.length === 3);
      expect(seen).toEqual([1, 3, 5]);
    } finally {
      await consumer.close();
      await queue.close();
      connection.disconnect();
    }
  });

  test("BullMQ's own Worker processes the adder's jobs", async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const connection = new Redis(redis.url);
    const adder = new JobAdder(connection, prefix);
    const seen: number[] = [];
    const worker = new Worker(
      'q',
      async (job) => {
        seen.push((job.data as { n: number }).n);
      },
      { prefix, connection: { url: redis.url, maxRetriesPerRequest: null } },
    );
    try {
      for (const n of [1, 2, 3]) await adder.add('q', { id: `j${n}`, name: 'j', data: { n }, opts: OPTIONS });
      await until(() => seen.length === 3);
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await worker.close();
      connection.disconnect();
    }
  });

  test('events join the newest waiting job while it has room; an id is added once either way', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const connection = new Redis(redis.url);
    const adder = new JobAdder(connection, prefix);
    const taken: { name: string; events: number[] }[] = [];
    const consumer = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 100,
      lockMs: 5000,
      onJob: (job: TakenJob, handle) => {
        const data = job.data as { batchVersion: number; events: number[] };
        expect(data.batchVersion).toBe(1);
        taken.push({ name: job.name, events: data.events });
        void handle.complete();
      },
    });
    const add = (id: string, events: number[]) =>
      adder.addEvents(
        'q',
        { id, envelope: { batchVersion: 1 }, events, opts: OPTIONS },
        { maxEvents: 5, rememberIds: 100 },
      );
    try {
      // Nothing takes yet: the first batches coalesce into one job of at most 5 events.
      expect(await add('a', [1, 2])).toBe(true);
      expect(await add('b', [3, 4])).toBe(true);
      expect(await add('b', [3, 4])).toBe(false); // appended, and still known
      expect(await add('c', [5, 6])).toBe(true); // 6 > 5: a job of its own
      expect(await add('a', [1, 2])).toBe(false);
      consumer.start();
      await until(() => taken.length === 2);
      expect(taken).toEqual([
        { name: 'events:4', events: [1, 2, 3, 4] },
        { name: 'events:2', events: [5, 6] },
      ]);
      // Taken jobs are never appended to: later events make a new job, behind them.
      expect(await add('d', [7])).toBe(true);
      await until(() => taken.length === 3);
      expect(taken[2]).toEqual({ name: 'events:1', events: [7] });
      expect(await add('c', [5, 6])).toBe(false); // completed: still known
    } finally {
      await consumer.close();
      connection.disconnect();
    }
  });
});
