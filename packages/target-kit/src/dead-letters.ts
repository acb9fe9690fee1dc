// The dead-letter queue of a target, for operators: list what was rejected,
// send it back to the target's queue (after the cause was fixed), or purge it.
import {
  deadLetterQueueName,
  parseTargetJob,
  partitionKeys,
  queueForKey,
  storedLayout,
  type TargetId,
  targetJobId,
  targetQueueName,
} from '@bucket-events/contracts';
import { createRedis, openQueue } from '@bucket-events/queue';
import type { Queue } from 'bullmq';

export interface DeadLetter {
  id: string;
  error: string;
  attempts: number;
  failedAt: string;
  job: unknown;
}

export interface DeadLetterScope {
  target: TargetId;
  prefix: string;
  redisUrl: string;
}

function open(scope: DeadLetterScope) {
  const dead = openQueue(deadLetterQueueName(scope.target), scope);
  const partitions = new Map<string, Queue>();
  const redis = createRedis(scope.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  return {
    dead,
    /** The partition of the target's queue a key's events go to now. */
    async live(bucket: string, key: string): Promise<Queue> {
      const base = targetQueueName(scope.target);
      const layout = storedLayout(await redis.get(partitionKeys(scope.prefix, base).layout));
      const name = queueForKey(base, layout, bucket, key);
      let queue = partitions.get(name);
      if (!queue) {
        queue = openQueue(name, scope);
        partitions.set(name, queue);
      }
      return queue;
    },
    async close() {
      redis.disconnect();
      await Promise.all([dead.close(), ...[...partitions.values()].map((queue) => queue.close())]);
    },
  };
}

export async function listDeadLetters(scope: DeadLetterScope): Promise<DeadLetter[]> {
  const queues = open(scope);
  try {
    const jobs = await queues.dead.getWaiting(0, -1);
    return jobs.map((job) => ({ id: job.id as string, ...(job.data as Omit<DeadLetter, 'id'>) }));
  } finally {
    await queues.close();
  }
}

/**
 * Puts dead letters back on the target's queue (each in its key's partition), oldest first, under a new job id
 * (the original id is still remembered for de-duplication). Letters that do not
 * hold a valid target job stay where they are. Returns how many went back.
 */
export async function redriveDeadLetters(scope: DeadLetterScope): Promise<number> {
  const queues = open(scope);
  try {
    let moved = 0;
    for (const letter of (await queues.dead.getWaiting(0, -1)).reverse()) {
      const parsed = (() => {
        try {
          return parseTargetJob((letter.data as { job: unknown }).job);
        } catch {
          return undefined;
        }
      })();
      if (!parsed) continue;
      const live = await queues.live(parsed.bucket, parsed.key);
      await live.add(parsed.record.eventName, parsed, {
        jobId: `${targetJobId(parsed.sequencer)}-redrive-${Date.now()}`,
        removeOnComplete: { age: 3600 },
        removeOnFail: false,
      });
      await letter.remove();
      moved += 1;
    }
    return moved;
  } finally {
    await queues.close();
  }
}

export async function purgeDeadLetters(scope: DeadLetterScope): Promise<number> {
  const queues = open(scope);
  try {
    const count = await queues.dead.getWaitingCount();
    await queues.dead.drain();
    return count;
  } finally {
    await queues.close();
  }
}
