// Bounded waits for health checks: an answer within a deadline, or a clear
// failure — never a timer left behind once the answer came.
import type { Redis } from 'ioredis';

/**
 * `promise`, or after `ms` a rejection with `failure` (a message, or the error to reject with);
 * the timer is cleared either way.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, failure: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof failure === 'string' ? new Error(failure) : failure()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True when Redis answers a PING within `ms` (readiness of the processes that need it). */
export function redisAnswers(redis: Redis, ms = 1000): Promise<boolean> {
  return withTimeout(redis.ping(), ms, 'Redis did not answer').then(
    () => true,
    () => false,
  );
}
