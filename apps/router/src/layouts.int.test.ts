// Target layouts against the real Redis: a changed partition count takes effect
// only once every queue of the old layout is empty, and the single queue of
// releases before partitions is drained before partitions are used.
import { partitionKeys } from '@bucket-events/contracts';
import { test } from '@bucket-events/testing';
import { pino } from 'pino';
import { describe, expect } from 'vitest';
import { TargetLayouts } from './layouts.ts';

const log = pino({ level: 'silent' });
const base = 'target.kafka.1';

describe('target layouts', () => {
  test('a new partition count waits until the old partitions are drained', async ({ redis }) => {
    const prefix = redis.prefix.slice(0, -1);
    const four = new TargetLayouts(redis.client, prefix, [{ queue: base, partitions: 4 }], log, 0);
    await four.refresh();
    expect(await redis.client.get(partitionKeys(prefix, base).layout)).toBe('4');
    const queue = four.place(base, 'photos', 'cat.jpg');
    expect(queue).toMatch(/^target\.kafka\.1\.p[0-3]$/);
    // One event still waits in the old layout.
    await redis.client.lpush(`${prefix}:${queue}:wait`, 'job-1');
    const eight = new TargetLayouts(redis.client, prefix, [{ queue: base, partitions: 8 }], log, 0);
    await eight.refresh();
    expect(eight.pendingChanges).toBe(1);
    expect(eight.place(base, 'photos', 'cat.jpg')).toBe(queue);
    // Taken but not yet confirmed still counts as not drained.
    await redis.client.rpoplpush(`${prefix}:${queue}:wait`, `${prefix}:${queue}:active`);
    await eight.refresh();
    expect(eight.pendingChanges).toBe(1);
    await redis.client.del(`${prefix}:${queue}:active`);
    await eight.refresh();
    expect(eight.pendingChanges).toBe(0);
    expect(await redis.client.get(partitionKeys(prefix, base).layout)).toBe('8');
    expect(eight.place(base, 'photos', 'cat.jpg')).toMatch(/^target\.kafka\.1\.p[0-7]$/);
  });

  test('a backlog in the single queue of an older release is routed to first, then partitions', async ({
    redis,
  }) => {
    const prefix = redis.prefix.slice(0, -1);
    await redis.client.lpush(`${prefix}:${base}:wait`, 'old-job');
    const layouts = new TargetLayouts(redis.client, prefix, [{ queue: base, partitions: 16 }], log, 0);
    await layouts.refresh();
    expect(layouts.place(base, 'photos', 'cat.jpg')).toBe(base);
    expect(layouts.pendingChanges).toBe(1);
    await redis.client.del(`${prefix}:${base}:wait`);
    await layouts.refresh();
    expect(layouts.place(base, 'photos', 'cat.jpg')).toMatch(/^target\.kafka\.1\.p\d+$/);
  });
});
