// Removing a run's keys from the shared Redis: queues keep completed job ids for
// an hour, and a benchmark's or a test's keys left behind make every later AOF
// rewrite of that Redis longer.
import type { Cluster, Redis } from 'ioredis';

/** Unlinks every key whose name starts with `prefix` (on a Redis Cluster, on each master). */
export async function forgetPrefix(redis: Redis, prefix: string): Promise<void> {
  const cluster = redis as unknown as Partial<Cluster>;
  const servers = typeof cluster.nodes === 'function' ? cluster.nodes('master') : [redis];
  for (const server of servers) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      // One key per command: on a cluster, keys of several slots may not go in one.
      if (keys.length > 0) await Promise.all(keys.map((key) => server.unlink(key)));
      cursor = next;
    } while (cursor !== '0');
  }
}
