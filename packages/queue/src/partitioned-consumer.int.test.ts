// A target's consumer group against the real Redis: every partition has exactly
// one owner, shares are even and move little, a partition changes hands only
// after its owner drained it (graceful) or its locks lapsed (crash), and what a
// crashed owner held comes back first, in order.
import { test } from '@bucket-events/testing';
import { Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import { until } from '../test/until.ts';
import type { HeldJob, TakenJob } from './ordered-consumer.ts';
import { PartitionedConsumer } from './partitioned-consumer.ts';

const P = 8;
const partitionNames = Array.from({ length: P }, (_, n) => `t.p${n}`);

function member(
  prefix: string,
  redisUrl: string,
  name: string,
  onJob: (job: TakenJob, handle: HeldJob) => void = (_job, handle) => void handle.complete(),
  // Long enough that a loaded machine's pauses do not lapse a live member (which would move partitions).
  leaseMs = 3000,
) {
  return new PartitionedConsumer({
    baseQueue: 't',
    keys: { layout: `${prefix}:t:layout`, members: `${prefix}:t:members`, owners: `${prefix}:t:owners` },
    configuredPartitions: P,
    prefix,
    redisUrl,
    maxHeld: 1000,
    lockMs: 1500,
    leaseMs,
    member: name,
    onJob: (job, handle) => {
      onJob(job, handle);
      return undefined;
    },
  });
}

describe('PartitionedConsumer', () => {
  test('frees a partition the group gave it back but it no longer takes from (as after a Redis restart), so another member gets it', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const keys = { members: `${prefix}:t:members`, owners: `${prefix}:t:owners` };
    const a = member(prefix, redis.url, 'a');
    try {
      // A second member that ticks by hand: a's share is half the partitions.
      await redis.client.zadd(keys.members, Date.now() + 600_000, 'z');
      a.start();
      await until(() => a.owned.length === P / 2);
      const spare = partitionNames.find((name) => !a.owned.includes(name)) as string;
      // The group hands a a partition beyond its share that a does not take from: what a Redis
      // restart left when a gave the partition up as lost while the group handed it back.
      await redis.client.hset(keys.owners, spare, 'a');
      // a is told to release it, and does, though it never took from it.
      await until(async () => (await redis.client.hget(keys.owners, spare)) !== 'a');
      expect(a.owned).not.toContain(spare);
      expect(a.owned).toHaveLength(P / 2);
    } finally {
      await a.close({ putBack: true });
    }
  });

  test('shares the partitions evenly, one owner each, and moves few when members come and go', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const owners = async () => redis.client.hgetall(`${prefix}:t:owners`);
    const shares = async () => {
      const counts = new Map<string, number>();
      for (const who of Object.values(await owners())) counts.set(who, (counts.get(who) ?? 0) + 1);
      return [...counts.values()].sort();
    };
    const a = member(prefix, redis.url, 'a');
    const b = member(prefix, redis.url, 'b');
    const c = member(prefix, redis.url, 'c');
    try {
      a.start();
      await until(() => a.owned.length === P);
      expect(await redis.client.get(`${prefix}:t:layout`)).toBe(String(P));
      b.start();
      await until(async () => a.owned.length === 4 && b.owned.length === 4);
      expect(Object.keys(await owners()).sort()).toEqual([...partitionNames].sort());
      const before = await owners();
      c.start();
      await until(
        async () =>
          (await shares()).join() === '2,3,3' && a.owned.length + b.owned.length + c.owned.length === P,
      );
      const after = await owners();
      // Only what the newcomer took changed hands.
      const moved = partitionNames.filter((name) => before[name] !== after[name]);
      expect(moved.every((name) => after[name] === 'c')).toBe(true);
      expect(moved).toHaveLength(c.owned.length);
      await b.close({ putBack: true });
      await until(async () => a.owned.length === 4 && c.owned.length === 4);
      expect(Object.values(await owners()).sort()).toEqual(['a', 'a', 'a', 'a', 'c', 'c', 'c', 'c']);
    } finally {
      await Promise.all([a, b, c].map((m) => m.close({ putBack: true })));
    }
  }, 30_000);

  test('a crashed owner’s partitions pass on once its lease and locks lapse, held jobs first and in order', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queues = partitionNames.map((name) => new Queue(name, { prefix, connection: { url: redis.url } }));
    const held: TakenJob[] = [];
    // A short lease: the crash is noticed after it.
    const crashed = member(prefix, redis.url, 'crashed', (job) => void held.push(job), 1000); // never completes
    const seen: string[] = [];
    const heir = member(
      prefix,
      redis.url,
      'heir',
      (job, handle) => {
        seen.push(`${job.queue}:${(job.data as { n: number }).n}`);
        void handle.complete();
      },
      1000,
    );
    try {
      crashed.start();
      await until(() => crashed.owned.length === P);
      for (const queue of queues)
        await queue.addBulk(Array.from({ length: 5 }, (_, n) => ({ name: 'j', data: { n } })));
      await until(() => held.length === 5 * P);
      // The crash: no more lease renewals, no lock renewals, nothing released.
      await (crashed as unknown as { stop(): Promise<void> }).stop();
      await (crashed as unknown as { consumer: { close(): Promise<void> } }).consumer.close();
      heir.start();
      for (const queue of queues) await queue.add('j', { n: 5 });
      await until(() => seen.length === 6 * P, 20_000);
      for (const name of partitionNames)
        expect(seen.filter((s) => s.startsWith(`${name}:`))).toEqual(
          Array.from({ length: 6 }, (_, n) => `${name}:${n}`),
        );
      expect(heir.owned).toHaveLength(P);
    } finally {
      await heir.close({ putBack: true });
      for (const queue of queues) await queue.close();
    }
  }, 30_000);

  test('a graceful leave puts held jobs back at once: the next owner needs no lock to lapse', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    const queue = new Queue('t.p0', { prefix, connection: { url: redis.url } });
    const first = member(prefix, redis.url, 'first', () => {});
    const seen: number[] = [];
    const next = member(prefix, redis.url, 'next', (job, handle) => {
      seen.push((job.data as { n: number }).n);
      void handle.complete();
    });
    try {
      first.start();
      await until(() => first.owned.length === P);
      await queue.addBulk(Array.from({ length: 10 }, (_, n) => ({ name: 'j', data: { n } })));
      await until(() => first.heldCount === 10);
      await first.close({ putBack: true });
      expect(await queue.getWaitingCount()).toBe(10);
      expect(await redis.client.exists(`${prefix}:t.p0:${(await queue.getWaiting())[0]?.id}:lock`)).toBe(0);
      next.start();
      await until(() => seen.length === 10);
      expect(seen).toEqual(Array.from({ length: 10 }, (_, n) => n));
    } finally {
      await next.close({ putBack: true });
      await queue.close();
    }
  }, 30_000);
});
