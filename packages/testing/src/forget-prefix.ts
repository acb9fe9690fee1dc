// Removing a run's keys from the shared Redis: queues keep completed job ids for
// an hour, and a benchmark's or a test's keys left behind make every later AOF
// rewrite of that Redis longer.
import type { Redis } from 'ioredis';

/** Unlinks every key whose name starts with `prefix`. */
export async function forgetPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
