// Smoke: Redis round-trips data through ioredis, and BullMQ runs a job on it.
import { Queue, QueueEvents, Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { test } from '../fixtures.ts';

describe('redis', () => {
  test('ioredis writes and reads a string and a list', async ({ redis }) => {
    const { client, prefix } = redis;
    await client.set(`${prefix}greeting`, 'hello');
    await client.rpush(`${prefix}events`, '{"n":1}', '{"n":2}');
    expect(await client.get(`${prefix}greeting`)).toBe('hello');
    expect(await client.lrange(`${prefix}events`, 0, -1)).toEqual(['{"n":1}', '{"n":2}']);
  });

  test('AOF persistence is on, so queued jobs survive a restart', async ({ redis }) => {
    const [, appendonly] = (await redis.client.config('GET', 'appendonly')) as [string, string];
    expect(appendonly).toBe('yes');
  });

  test('BullMQ completes a job and returns its result', async ({ redis }) => {
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('smoke', { connection, prefix });
    const events = new QueueEvents('smoke', { connection, prefix });
    const worker = new Worker('smoke', async (job) => (job.data as { n: number }).n * 2, {
      connection,
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      expect(await job.waitUntilFinished(events, 10_000)).toBe(42);
    } finally {
      await worker.close();
      await events.close();
      await queue.close();
    }
  });
});
