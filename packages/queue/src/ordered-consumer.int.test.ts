// The ordered consumer against the real Redis: jobs come out in queue order,
// at most maxHeld at a time, and jobs held by a consumer that went away come
// back ahead of newer ones.
import { privateRedis, test } from '@bucket-events/testing';
import { type Job, Queue, Worker } from 'bullmq';
import { describe, expect } from 'vitest';
import { until } from '../test/until.ts';
import { type HeldJob, OrderedConsumer, type TakenJob } from './ordered-consumer.ts';
import { TAKE_JOBS } from './scripts.ts';

/** A consumer that records each job's `n` and completes it at once. */
function completingConsumer(options: { prefix: string; redisUrl: string; maxHeld: number; lockMs: number }) {
  const seen: number[] = [];
  const consumer = new OrderedConsumer({
    queue: 'q',
    ...options,
    onJob: (job: TakenJob, handle: HeldJob) => {
      seen.push((job.data as { n: number }).n);
      void handle.complete().catch(() => {}); // a lost lock: the job comes again
    },
  });
  return { consumer, seen };
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
      onJob: (job: TakenJob, handle: HeldJob) => {
        seen.push((job.data as { n: number }).n);
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

  test('jobs held by a consumer that went away come back first, in the order they were taken', async ({
    redis,
  }) => {
    // More than 128: BullMQ's stalled check re-queues through a Redis set, whose order is arbitrary
    // beyond that size; this consumer must not depend on it.
    const held = 300;
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    await queue.addBulk(Array.from({ length: held + 1 }, (_, n) => ({ name: 'j', data: { n } })));
    const first = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: held,
      lockMs: 1000,
      onJob: () => {},
    });
    first.start();
    await until(() => first.heldCount === held);
    await first.close(); // never completed: released when their locks lapse
    await queue.addBulk([held + 1, held + 2].map((n) => ({ name: 'j', data: { n } })));
    const { consumer: second, seen } = completingConsumer({
      prefix,
      redisUrl: redis.url,
      maxHeld: 1000,
      lockMs: 1000,
    });
    try {
      // As the router and the kit do after a crash: recover orphans before taking new jobs.
      expect(await second.recoverPredecessorOrphans(10_000)).toBe(true);
      second.start();
      await until(() => seen.length === held + 3);
      expect(seen).toEqual(Array.from({ length: held + 3 }, (_, n) => n));
    } finally {
      await second.close();
      await queue.close();
    }
  }, 30_000);

  test('orphan recovery leaves the jobs of a live consumer alone', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: { n } })));
    const handles: HeldJob[] = [];
    const live = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 3,
      lockMs: 1000,
      onJob: (_job: TakenJob, handle: HeldJob) => void handles.push(handle),
    });
    try {
      live.start();
      await until(() => live.heldCount === 3);
      await new Promise((resolve) => setTimeout(resolve, 2500)); // past the lock lifetime: renewed
      expect(await live.recoverOrphans()).toBe(0);
      expect(await queue.getActiveCount()).toBe(3);
      await Promise.all(handles.map((handle) => handle.complete()));
      expect(await queue.getCompletedCount()).toBe(3);
    } finally {
      await live.close();
      await queue.close();
    }
  }, 30_000);

  test('a held job taken again after its lock lapsed (as across a Redis restart) is held once: the queue still drains', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    const [job] = await queue.addBulk([{ name: 'j', data: { n: 1 } }]);
    const deliveries: HeldJob[] = [];
    const consumer = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 10,
      lockMs: 1000,
      onJob: (_job: TakenJob, handle: HeldJob) => void deliveries.push(handle),
    });
    try {
      consumer.start();
      await until(() => deliveries.length === 1);
      // The lock lapses while the job is still held (a Redis restart that outlasts it does this):
      // the periodic recovery puts the job back, and the consumer takes it again.
      await redis.client.del(`${prefix}:q:${job?.id}:lock`);
      await until(() => deliveries.length === 2);
      expect(consumer.heldCount).toBe(1);
      // The new delivery completes the job; the superseded one's completion changes nothing.
      await deliveries[1]?.complete();
      await deliveries[0]?.complete().catch(() => {});
      expect(await queue.getCompletedCount()).toBe(1);
      // Counted twice, the queue would never drain (nor a partition be handed over).
      await consumer.drainQueue('q');
      expect(consumer.heldCount).toBe(0);
    } finally {
      await consumer.close();
      await queue.close();
    }
  }, 30_000);

  test('a take whose answer was lost (connection cut) goes back ahead of newer jobs', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: { n } })));
    const { consumer, seen } = completingConsumer({
      prefix,
      redisUrl: redis.url,
      maxHeld: 10,
      lockMs: 30_000,
    });
    // The lost take: job 1 made active under the consumer's own lock, its answer never read.
    const token = (consumer as unknown as { token: string }).token;
    const taker = new Worker('q', null, { prefix, connection: { url: redis.url }, autorun: false });
    try {
      expect(((await taker.getNextJob(token)) as Job).data.n).toBe(1);
      expect(await consumer.recoverOrphans()).toBe(0); // a live lock: left alone by the periodic check
      expect(await consumer.recoverOrphans({ lostTakes: true })).toBe(1);
      consumer.start();
      await until(() => seen.length === 3);
      expect(seen).toEqual([1, 2, 3]);
    } finally {
      await taker.close();
      await consumer.close();
      await queue.close();
    }
  });

  test('keeps taking, in order, after its Redis restarts', async () => {
    // A Redis of the test's own: the shared one cannot be restarted under parallel tests.
    const server = await privateRedis();
    await server.start();
    const url = `redis://${server.address}`;
    const queue = new Queue('q', { prefix: 'p', connection: { url, maxRetriesPerRequest: null } });
    queue.on('error', () => {});
    const { consumer, seen } = completingConsumer({ prefix: 'p', redisUrl: url, maxHeld: 50, lockMs: 1000 });
    try {
      consumer.start();
      await queue.addBulk(Array.from({ length: 100 }, (_, n) => ({ name: 'j', data: { n } })));
      await until(() => seen.length >= 100);
      await server.stop();
      await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than a lock lives
      await server.start();
      await queue.addBulk(Array.from({ length: 100 }, (_, n) => ({ name: 'j', data: { n: 100 + n } })));
      await until(() => new Set(seen).size === 200, 20_000);
      // Redelivered duplicates are allowed; a first arrival out of order is not.
      const firsts = seen.filter((n, i) => seen.indexOf(n) === i);
      expect(firsts).toEqual(Array.from({ length: 200 }, (_, n) => n));
    } finally {
      await consumer.close();
      await queue.close();
      await server.remove();
    }
  }, 60_000);

  test('a take run again (resent after a lost answer) hands out the same jobs', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    try {
      await queue.addBulk([1, 2, 3, 4].map((n) => ({ name: 'j', data: { n } })));
      const base = `${prefix}:q:`;
      const take = async (takeId: number) => {
        const reply = (await redis.client.eval(
          TAKE_JOBS,
          1,
          `${prefix}:take:t`,
          't',
          10_000,
          2,
          Date.now(),
          takeId,
          '',
          '',
          0,
          100,
          base,
          'q',
        )) as string[];
        return reply.filter((_, i) => i % 3 === 1);
      };
      const first = await take(1);
      expect(await take(1)).toEqual(first);
      const second = await take(2);
      expect(second).toHaveLength(2);
      expect(second).not.toContain(first[0]);
      expect(await queue.getActiveCount()).toBe(4);
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await queue.close();
    }
  });

  test('completions go out together; a job whose lock is gone is not completed, and says so', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    const handles: HeldJob[] = [];
    const consumer = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 10,
      lockMs: 30_000,
      onJob: (_job: TakenJob, handle: HeldJob) => void handles.push(handle),
    });
    try {
      await queue.addBulk(
        [1, 2, 3, 4].map((n) => ({
          name: 'j',
          data: { n },
          opts: { jobId: `j${n}`, removeOnComplete: { age: 3600 } },
        })),
      );
      consumer.start();
      await until(() => handles.length === 4);
      await redis.client.del(`${prefix}:q:j4:lock`); // as if it had lapsed
      const results = await Promise.allSettled(handles.map((handle) => handle.complete()));
      expect(results.map((result) => result.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
      ]);
      expect(await queue.getCompletedCount()).toBe(3);
      expect(consumer.heldCount).toBe(0);
      const done = await queue.getJob('j1');
      expect(done?.finishedOn).toBeGreaterThan(0);
      expect(await done?.isCompleted()).toBe(true);
      // Kept as a marker only: its data is gone, the job still held keeps its own.
      expect(await redis.client.hexists(`${prefix}:q:j1`, 'data')).toBe(0);
      expect(await redis.client.hexists(`${prefix}:q:j4`, 'data')).toBe(1);
      // Kept for the hour its options name: adding the same id again is a no-op meanwhile.
      await queue.add('j', { n: 1 }, { jobId: 'j1' });
      expect(await queue.getWaitingCount()).toBe(0);
    } finally {
      await consumer.close();
      await queue.close();
    }
  });

  test('keeps no more completed jobs than removeOnComplete.count names: the newest stay', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    const { consumer, seen } = completingConsumer({ prefix, redisUrl: redis.url, maxHeld: 2, lockMs: 5000 });
    try {
      consumer.start();
      for (let n = 1; n <= 7; n++) {
        await queue.add('j', { n }, { jobId: `j${n}`, removeOnComplete: { age: 3600, count: 3 } });
        await until(() => seen.length === n);
      }
      await until(async () => (await queue.getCompletedCount()) === 3);
      expect((await queue.getCompleted()).map((job) => job.id).sort()).toEqual(['j5', 'j6', 'j7']);
      expect(await redis.client.exists(`${prefix}:q:j1`, `${prefix}:q:j4`)).toBe(0);
      // The oldest id is forgotten: adding it again makes a new job; a kept one's is still a no-op.
      await queue.add('j', { n: 1 }, { jobId: 'j1' });
      await queue.add('j', { n: 7 }, { jobId: 'j7' });
      await until(() => seen.length === 8);
      expect(seen.at(-1)).toBe(1);
    } finally {
      await consumer.close();
      await queue.close();
    }
  });

  test('after a crash, orphans whose locks lapse at different times still come back in taken order', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('q', { prefix, connection: { url: redis.url } });
    await queue.addBulk([1, 2, 3, 4].map((n) => ({ name: 'j', data: { n }, opts: { jobId: `j${n}` } })));
    const dead = new OrderedConsumer({
      queue: 'q',
      prefix,
      redisUrl: redis.url,
      maxHeld: 4,
      lockMs: 30_000,
      onJob: () => {},
    });
    dead.start();
    await until(() => dead.heldCount === 4);
    await dead.close(); // its locks stay until they lapse
    const { consumer: next, seen } = completingConsumer({
      prefix,
      redisUrl: redis.url,
      maxHeld: 10,
      lockMs: 30_000,
    });
    try {
      // The older jobs' locks lapse first (they were renewed together; the newer ones were taken later).
      await redis.client.del(`${prefix}:q:j1:lock`, `${prefix}:q:j2:lock`);
      const recovering = next.recoverPredecessorOrphans(20_000);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await queue.getWaitingCount()).toBe(0); // nothing moved while some are still locked
      await redis.client.del(`${prefix}:q:j3:lock`, `${prefix}:q:j4:lock`);
      expect(await recovering).toBe(true);
      await queue.add('j', { n: 5 }, { jobId: 'j5' });
      next.start();
      await until(() => seen.length === 5);
      expect(seen).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await next.close();
      await queue.close();
    }
  });

  test('takes from several queues, each in its own order, and only from those its fence grants', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queues = ['a', 'b', 'c'].map((name) => new Queue(name, { prefix, connection: { url: redis.url } }));
    const seen: string[] = [];
    const owners = `${prefix}:owners`;
    await redis.client.hset(owners, 'a', 'me', 'b', 'me', 'c', 'someone-else');
    const consumer = new OrderedConsumer({
      queues: ['a', 'b', 'c'],
      prefix,
      redisUrl: redis.url,
      maxHeld: 100,
      lockMs: 5000,
      takeMax: 7,
      fence: { key: owners, member: 'me' },
      onJob: (job: TakenJob, handle: HeldJob) => {
        seen.push(`${job.queue}${(job.data as { n: number }).n}`);
        void handle.complete();
      },
    });
    try {
      for (const queue of queues)
        await queue.addBulk(Array.from({ length: 20 }, (_, n) => ({ name: 'j', data: { n } })));
      consumer.start();
      await until(() => seen.length === 40);
      for (const name of ['a', 'b'])
        expect(seen.filter((s) => s.startsWith(name))).toEqual(
          Array.from({ length: 20 }, (_, n) => `${name}${n}`),
        );
      expect(await queues[2]?.getWaitingCount()).toBe(20); // not granted: untouched
      await redis.client.hset(owners, 'a', 'someone-else', 'c', 'me');
      await queues[0]?.add('j', { n: 99 });
      await until(() => seen.length === 60);
      expect(seen.slice(40)).toEqual(Array.from({ length: 20 }, (_, n) => `c${n}`));
      expect(await queues[0]?.getWaitingCount()).toBe(1); // fenced off since its owner changed
      // A queue dropped is waited for until its held jobs are done.
      await consumer.drainQueue('c');
      expect(consumer.queues).toEqual(['a', 'b']);
    } finally {
      await consumer.close();
      for (const queue of queues) await queue.close();
    }
  });
});
