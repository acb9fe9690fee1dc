// Heartbeats: how operators' views (status page, `admin targets`) learn which
// processes live and what they report. Each process writes its report every
// second into one Redis hash (field = the process); the whole hash expires once
// nobody writes, and a reader drops fields older than three intervals — a
// process that crashed without saying goodbye.
import type { Redis } from 'ioredis';

export const HEARTBEAT_INTERVAL_MS = 1000;
const STALE_AFTER_MS = HEARTBEAT_INTERVAL_MS * 3;

/** What every heartbeat carries, besides its own report. */
export interface Beat {
  /** `<host>:<pid>[:…]`: the field of the hash. */
  instance: string;
  /** ISO time of writing. */
  updatedAt: string;
}

/** Writes `snapshot()` into `key` every second until stopped; a failed write is tried again next time. */
export function startHeartbeatLoop(
  redis: Redis,
  key: string,
  snapshot: () => Beat,
): { stop(): Promise<void> } {
  const write = () => {
    const beat = snapshot();
    return redis
      .multi()
      .hset(key, beat.instance, JSON.stringify(beat))
      .pexpire(key, STALE_AFTER_MS)
      .exec()
      .catch(() => {});
  };
  void write();
  const timer = setInterval(write, HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      // Gone at once rather than after the expiry: a stopped process reports nothing.
      await redis.hdel(key, snapshot().instance).catch(() => {});
    },
  };
}

/** The live processes' heartbeats in `key`; those of crashed processes are removed. */
export async function readLiveHeartbeats<T extends Beat>(redis: Redis, key: string): Promise<T[]> {
  const live: T[] = [];
  const dead: string[] = [];
  for (const [instance, value] of Object.entries(await redis.hgetall(key))) {
    const beat = JSON.parse(value) as T;
    if (Date.now() - Date.parse(beat.updatedAt) > STALE_AFTER_MS) dead.push(instance);
    else live.push(beat);
  }
  if (dead.length > 0) await redis.hdel(key, ...dead);
  return live;
}
